"""SendGrid Inbound Parse: multipart/form-data, raw (``email``) or parsed mode, Basic auth."""
