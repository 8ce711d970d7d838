"""voice: the telephone line. Call callbacks from Twilio Voice, Vonage, a PBX's CTI and
WhatsApp calling, verified, parsed and normalized into call events (hotline.events.Call*)."""
