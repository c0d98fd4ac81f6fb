"""What the tuning services share: the `Backend` protocol, how tuneops marks its
jobs (labels, markers), the JSON both APIs write, generateContent, reading a
job back in spec terms. Above the transport, below every service."""
