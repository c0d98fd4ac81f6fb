"""What a plan says its new jobs will cost: the values (`estimate`) and how they are
priced onto a plan, `guards.maxCost` included (`pricing`). The tokens the service
counts come from `runtime/cost_tokens.py`."""
