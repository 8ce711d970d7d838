"""Inbound mail from relay providers (Mailgun, SendGrid, Postmark, Mandrill, CloudMailin,
Amazon SES via SNS): ``<provider>/{verify,parse,normalize}.py`` are pure and table-tested on
recorded payloads, ``<provider>/edge.py`` is the HTTP route. Each provider's post becomes one or
more ``Delivery`` (the raw MIME, or one rebuilt from the parsed fields), normalized by the same
``email_ingest.normalize`` as SMTP mail and handed to the same shared intake."""
