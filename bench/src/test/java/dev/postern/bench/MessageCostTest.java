package dev.postern.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageCostTest {

  private static CostSnapshot.TableRows rows(long ins, long upd, long hot, long del) {
    return new CostSnapshot.TableRows(ins, upd, hot, del);
  }

  @Test
  void lsnTextIsHighAndLowHalvesInHex() {
    assertThat(CostSnapshot.parseLsn("0/0")).isZero();
    assertThat(CostSnapshot.parseLsn("16/B374D848")).isEqualTo(0x16_B374_D848L);
    assertThat(CostSnapshot.parseLsn("1/0") - CostSnapshot.parseLsn("0/FFFFFFFF")).isEqualTo(1);
    assertThatThrownBy(() -> CostSnapshot.parseLsn("16B374D848"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CostSnapshot.parseLsn("1/100000000"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deltasAreDividedByTheMessagesAndTheProbesOwnCommitIsNotCounted() {
    var before = new CostSnapshot(0, 1_000, 7, 0x1_0000_0000L,
        Map.of("delivery_queue", rows(10, 20, 5, 0), "outbound_events", rows(100, 0, 0, 0),
            "schema_history", rows(3, 0, 0, 0)),
        2_000_000_000L, 5_000_000_000L, 1_000_000_000L);
    var after = new CostSnapshot(20_000_000_000L, 1_000 + 3_300 + 1, 9, 0x1_0000_0000L + 6_100_000,
        Map.of("delivery_queue", rows(1_010, 3_370, 3_005, 1_000),
            "outbound_events", rows(2_800, 0, 0, 0), "schema_history", rows(3, 0, 0, 0),
            "idempotency", rows(0, 0, 0, 50)),
        2_000_000_000L + 380_000_000L, 5_000_000_000L + 1_200_000_000L,
        1_000_000_000L + 300_000_000L);

    MessageCost cost = MessageCost.between(before, after, 1_000, 1);

    assertThat(cost.commitsPerMessage()).isEqualTo(3.3);
    assertThat(cost.walBytesPerMessage()).isEqualTo(6_100);
    assertThat(cost.tables()).extracting(MessageCost.TableCost::table)
        .containsExactly("delivery_queue", "outbound_events", "idempotency"); // unchanged: left out
    assertThat(cost.tables().get(0)).isEqualTo(
        new MessageCost.TableCost("delivery_queue", 1.0, 3.35, 3.0, 1.0));
    assertThat(cost.rowsPerMessage()).isCloseTo(5.35 + 2.7 + 0.05, within(1e-9));
    assertThat(cost.gatewayCpuMsPerMessage()).isCloseTo(0.38, within(1e-9));
    assertThat(cost.postgresCpuMsPerMessage()).isCloseTo(1.2, within(1e-9));
    assertThat(cost.loadCpuMsPerMessage()).isCloseTo(0.3, within(1e-9));
    assertThat(cost.seconds()).isEqualTo(20.0);
    assertThat(cost.postgresCores()).isCloseTo(0.06, within(1e-9));
  }

  @Test
  void lineReadsAsTheIssueAsksWithTheTopTablesNamed() {
    var cost = new MessageCost(20_000, 20, 3.3, 6_246.4, 9.4, List.of(
        new MessageCost.TableCost("delivery_queue", 0, 3.35, 3.35, 0),
        new MessageCost.TableCost("outbound_events", 2.7, 0, 0, 0),
        new MessageCost.TableCost("outbound_messages", 0, 1.7, 0, 0),
        new MessageCost.TableCost("outbound_recipients", 1, 0.65, 0, 0),
        new MessageCost.TableCost("api_keys", 0, 0.002, 0, 0)),
        0.38, 1.2, 0.31, 0.36, 1.26, 0.3);

    assertThat(cost.line("send-small", 3)).isEqualTo("cost send-small: 3.30 commits/msg,"
        + " 6.1 KB WAL/msg, 9.4 rows/msg (delivery_queue 3.35 upd, outbound_events 2.70 ins,"
        + " outbound_messages 1.70 upd, 2 more tables 1.65), gateway 0.38 ms CPU/msg"
        + " (0.36 cores), postgres 1.20 ms CPU/msg (1.26 cores), load generator 0.31 ms CPU/msg"
        + " (0.30 cores)");
    assertThat(MessageCost.bytes(850)).isEqualTo("850 B");
  }

  @Test
  void medianIsTakenPerFigureAndATableWrittenInOneRunOfThreeIsLeftOut() {
    MessageCost a = cost(3.0, 6_000, List.of(table("q", 3.0), table("rare", 1.0)));
    MessageCost b = cost(3.6, 7_000, List.of(table("q", 3.4)));
    MessageCost c = cost(3.3, 6_500, List.of(table("q", 3.35)));

    MessageCost median = MessageCost.median(List.of(a, b, c));

    assertThat(median.commitsPerMessage()).isEqualTo(3.3);
    assertThat(median.walBytesPerMessage()).isEqualTo(6_500);
    assertThat(median.tables()).containsExactly(new MessageCost.TableCost("q", 0, 3.35, 0, 0));
    assertThatThrownBy(() -> MessageCost.median(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static MessageCost.TableCost table(String name, double upd) {
    return new MessageCost.TableCost(name, 0, upd, 0, 0);
  }

  private static MessageCost cost(double commits, double wal, List<MessageCost.TableCost> t) {
    return new MessageCost(1_000, 20, commits, wal, 0, t, 0.4, 1.2, 0.3, 0.4, 1.2, 0.3);
  }
}
