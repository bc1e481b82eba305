package dev.postern.inbound.pgp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.openpgp.PGPEncryptedData;
import org.bouncycastle.openpgp.PGPEncryptedDataList;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKeyEncryptedData;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPublicKeyDataDecryptorFactory;

/** Decrypts a binary OpenPGP message with BouncyCastle, streaming, and says what it was made of. */
public final class PgpDecryption {

  /**
   * What the message held: the key IDs its PKESK packets name, the session cipher, whether the
   * data was integrity protected (and the MDC checked), the packet inside, the literal's name.
   */
  public record Decrypted(List<Long> recipientKeyIds, int symmetricAlgorithm, boolean integrityChecked,
      String innerPacket, String fileName, long plaintextBytes) {}

  private PgpDecryption() {}

  /** Decrypts {@code ciphertext} with the subkey of {@code keys} its PKESK names, into {@code out}. */
  public static Decrypted decrypt(InputStream ciphertext, TestPgpKeys keys, OutputStream out)
      throws IOException, PGPException {
    Object first = new BcPGPObjectFactory(ciphertext).nextObject();
    if (!(first instanceof PGPEncryptedDataList list)) {
      throw new IllegalStateException("not an encrypted message: " + first);
    }
    List<Long> recipients = new ArrayList<>();
    PGPPublicKeyEncryptedData mine = null;
    PGPPrivateKey privateKey = null;
    for (PGPEncryptedData data : list) {
      PGPPublicKeyEncryptedData pked = (PGPPublicKeyEncryptedData) data;
      recipients.add(pked.getKeyID());
      PGPSecretKey secret = keys.secret().getSecretKey(pked.getKeyID());
      if (secret != null && mine == null) {
        mine = pked;
        privateKey = secret.extractPrivateKey(null);
      }
    }
    if (mine == null) {
      throw new IllegalStateException("no PKESK for this key among " + recipients);
    }
    BcPublicKeyDataDecryptorFactory decryptor = new BcPublicKeyDataDecryptorFactory(privateKey);
    int algorithm = mine.getSymmetricAlgorithm(decryptor);
    Object inner = new BcPGPObjectFactory(mine.getDataStream(decryptor)).nextObject();
    String innerPacket = inner.getClass().getSimpleName();
    String fileName = null;
    long copied = 0;
    if (inner instanceof PGPLiteralData literal) {
      fileName = literal.getFileName();
      copied = literal.getInputStream().transferTo(out);
    }
    boolean checked = mine.isIntegrityProtected() && mine.verify();
    return new Decrypted(recipients, algorithm, checked, innerPacket, fileName, copied);
  }
}
