"""Sends one message through Postern the way the seeds' Python examples do: smtplib with
starttls() + login() on the submission port, or SMTP_SSL on the implicit-TLS port.

Settings come from the environment (POSTERN_SMTP_HOST, POSTERN_SMTP_PORT, POSTERN_SMTP_MODE =
starttls | ssl, POSTERN_SMTP_CA, POSTERN_KEY, SUBJECT). Prints one JSON line: the exact octets the
message had when smtplib sent it (before dot-stuffing), base64, for the test to compare.
"""
import base64
import json
import os
import smtplib
import ssl
from email.message import EmailMessage

host = os.environ["POSTERN_SMTP_HOST"]
port = int(os.environ["POSTERN_SMTP_PORT"])
context = ssl.create_default_context(cafile=os.environ["POSTERN_SMTP_CA"])

msg = EmailMessage()
msg["From"] = "Shop <app@shop.example>"
msg["To"] = "Customer <customer@elsewhere.example>"
msg["Subject"] = os.environ["SUBJECT"]
msg["X-Order"] = "42"
msg.set_content("Thanks for your order.\n.a line that starts with a dot\nGr\u00fc\u00dfe, the shop\n")

if os.environ["POSTERN_SMTP_MODE"] == "ssl":
    server = smtplib.SMTP_SSL(host, port, context=context, timeout=30)
else:
    server = smtplib.SMTP(host, port, timeout=30)
    server.starttls(context=context)
with server:
    server.login("postern", os.environ["POSTERN_KEY"])
    refused = server.send_message(msg)

# What send_message put on the wire: the message flattened with CRLF line ends (smtplib drops
# Bcc, of which there is none here).
sent = msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
print(json.dumps({"refused": refused, "sent": base64.b64encode(sent).decode("ascii")}))
