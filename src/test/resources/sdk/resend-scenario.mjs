// Driven by ResendSdkIT: the official Resend Node SDK against a Postern gateway. Everything it
// needs comes from the environment; it prints one JSON object with each call's {data, error}.
import { Resend } from 'resend';

const resend = new Resend(process.env.POSTERN_KEY, { baseUrl: process.env.POSTERN_BASE_URL });
const attachment = Buffer.from(process.env.ATTACHMENT_BASE64, 'base64');

const result = ({ data, error }) => ({ data, error });

const sent = await resend.emails.send({
  from: 'Shop <app@shop.example>',
  to: ['alice@example.org'],
  cc: 'bob@example.org',
  bcc: ['carol@example.org'],
  replyTo: 'help@shop.example',
  subject: 'Your receipt from the SDK',
  text: 'Thanks for your order.',
  html: '<p>Thanks for your <b>order</b>.</p>',
  tags: [{ name: 'kind', value: 'receipt' }],
  headers: { 'X-Entity-Ref-ID': 'order-42' },
  attachments: [{ filename: 'receipt.bin', content: attachment }],
});

const got = sent.data ? await resend.emails.get(sent.data.id) : { data: null, error: 'not sent' };

const batch = await resend.batch.send([
  { from: 'app@shop.example', to: 'dave@example.org', subject: 'Batch one', text: 'one' },
  { from: 'app@shop.example', to: ['erin@example.org'], subject: 'Batch two', html: '<p>two</p>' },
]);

const forbidden = await resend.emails.send({
  from: 'someone@elsewhere.example',
  to: 'alice@example.org',
  subject: 'Not my mailbox',
  text: 'should be refused',
});

console.log(JSON.stringify({
  sent: result(sent), got: result(got), batch: result(batch), forbidden: result(forbidden),
}));
