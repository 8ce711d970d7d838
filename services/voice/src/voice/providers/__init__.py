"""One package per telephony source: ``{verify,parse,normalize,edge}.py``."""
