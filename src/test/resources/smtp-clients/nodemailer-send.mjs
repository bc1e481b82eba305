// Sends through Postern the way nodemailer's users write it: a transport with the host, port,
// `secure` and `auth`, trusting Postern's certificate through `tls.ca`. Two sends: `secure: false`
// on the STARTTLS port (with `requireTLS`, so nothing goes out in the clear) and `secure: true` on
// the implicit-TLS port. A stream plugin keeps a copy of the octets nodemailer sends (before
// dot-stuffing) so the test can compare them with what Postern relays.
//
// Environment: POSTERN_SMTP_HOST, POSTERN_SMTP_PORT, POSTERN_SMTPS_PORT, POSTERN_SMTP_CA,
// POSTERN_KEY. Prints one JSON line: {starttls: {...}, implicit: {...}}.
import { readFileSync } from 'node:fs';
import { Transform } from 'node:stream';
import nodemailer from 'nodemailer';

const ca = readFileSync(process.env.POSTERN_SMTP_CA);

async function send(label, port, secure) {
  const transporter = nodemailer.createTransport({
    host: process.env.POSTERN_SMTP_HOST,
    port,
    secure,
    requireTLS: !secure,
    auth: { user: 'postern', pass: process.env.POSTERN_KEY },
    tls: { ca: [ca] },
  });
  const chunks = [];
  transporter.use('stream', (mail, done) => {
    mail.message.transform(() => new Transform({
      transform(chunk, encoding, callback) {
        chunks.push(Buffer.from(chunk));
        callback(null, chunk);
      },
    }));
    done();
  });
  const info = await transporter.sendMail({
    from: '"Shop" <app@shop.example>',
    to: 'customer@elsewhere.example',
    subject: `nodemailer ${label}`,
    text: 'Thanks for your order.\n.a line that starts with a dot\nGrüße, the shop\n',
    html: '<p>Thanks for your <b>order</b>.</p>',
    headers: { 'X-Order': '42' },
  });
  transporter.close();
  return {
    messageId: info.messageId,
    response: info.response,
    accepted: info.accepted,
    rejected: info.rejected,
    sent: Buffer.concat(chunks).toString('base64'),
  };
}

const starttls = await send('starttls', Number(process.env.POSTERN_SMTP_PORT), false);
const implicit = await send('implicit tls', Number(process.env.POSTERN_SMTPS_PORT), true);
console.log(JSON.stringify({ starttls, implicit }));
