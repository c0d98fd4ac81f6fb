"""How every call travels: one `requests` session per client, one retry policy,
pacing, deadlines, credentials and redaction, shared by every service (Cloud
Storage included), and the error tree they raise. Imports no service."""
