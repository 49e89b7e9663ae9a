"""The steps of inbound mail parsing; ``comptoir.mail.parse.parse_mail`` is the entry point."""
