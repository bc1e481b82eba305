<?php
// Sends one message through Postern the way PHPMailer's users (WordPress SMTP plugins, CRMs)
// configure it: isSMTP, SMTPAuth, SMTPSecure = 'tls' (STARTTLS) on the submission port, with
// Postern's certificate trusted through SMTPOptions. Uses Debian's libphp-phpmailer.
//
// Environment: POSTERN_SMTP_HOST, POSTERN_SMTP_PORT, POSTERN_SMTP_CA, POSTERN_KEY, SUBJECT.
// Prints one JSON line: {ok, error, transactionId (what PHPMailer read from the 250 after DATA,
// as it does for Postfix's "queued as"), sent (base64 of the MIME PHPMailer sent)}.
require '/usr/share/php/libphp-phpmailer/autoload.php';

use PHPMailer\PHPMailer\PHPMailer;
use PHPMailer\PHPMailer\Exception;

$mail = new PHPMailer(true);
$mail->isSMTP();
$mail->Host = getenv('POSTERN_SMTP_HOST');
$mail->Port = (int) getenv('POSTERN_SMTP_PORT');
$mail->SMTPAuth = true;
$mail->Username = 'postern';
$mail->Password = getenv('POSTERN_KEY');
$mail->SMTPSecure = PHPMailer::ENCRYPTION_STARTTLS;
$mail->SMTPAutoTLS = false;
$mail->SMTPOptions = ['ssl' => [
    'cafile' => getenv('POSTERN_SMTP_CA'),
    'verify_peer' => true,
    'verify_peer_name' => true,
    'allow_self_signed' => false,
]];
$mail->CharSet = PHPMailer::CHARSET_UTF8;
$mail->setFrom('app@shop.example', 'Shop');
$mail->addAddress('customer@elsewhere.example', 'Customer');
$mail->Subject = getenv('SUBJECT');
$mail->addCustomHeader('X-Order', '42');
$mail->isHTML(true);
$mail->Body = '<p>Thanks for your <b>order</b>.</p>';
$mail->AltBody = "Thanks for your order.\n.a line that starts with a dot\nGrüße, the shop\n";

$result = ['ok' => false, 'error' => null, 'transactionId' => null, 'sent' => null];
try {
    $mail->send();
    $result['ok'] = true;
    $result['transactionId'] = $mail->getSMTPInstance()->getLastTransactionID();
    $result['sent'] = base64_encode($mail->getSentMIMEMessage());
} catch (Exception $e) {
    $result['error'] = $mail->ErrorInfo;
}
echo json_encode($result), "\n";
