"""Twilio Voice: status, recording and transcription callbacks."""
