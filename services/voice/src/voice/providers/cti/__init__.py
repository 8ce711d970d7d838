"""Generic CTI for PBXs: Zammad-compatible newCall / answer / hangup, HMAC-signed per account."""
