package dev.postern.smtp.session;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Networks → values (the LAN shim's network → key id map). A lookup answers the value of the
 * most specific network containing the address (longest prefix wins, as in routing), so an
 * operator can map {@code 10.0.0.0/8} to one key and {@code 10.0.5.0/24} to another.
 */
public final class CidrMap<V> {

  private record Entry<V>(Cidr network, V value) {}

  /** Most specific first. */
  private final List<Entry<V>> entries;

  private CidrMap(List<Entry<V>> entries) {
    this.entries = entries;
  }

  public static <V> CidrMap<V> empty() {
    return new CidrMap<>(List.of());
  }

  /** From parsed networks; the map's iteration order does not matter. */
  public static <V> CidrMap<V> of(Map<Cidr, V> networks) {
    List<Entry<V>> entries = new ArrayList<>();
    networks.forEach((network, value) -> entries.add(new Entry<>(network, value)));
    entries.sort(Comparator.comparingInt((Entry<V> e) -> e.network().prefixLength()).reversed());
    return new CidrMap<>(List.copyOf(entries));
  }

  /**
   * Parses {@code network → value} text, reporting every bad network at once.
   *
   * @throws IllegalArgumentException listing each refused network and why, or a network given twice
   */
  public static CidrMap<String> parse(Map<String, String> networks) {
    Map<Cidr, String> parsed = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    networks.forEach((text, value) -> {
      try {
        Cidr cidr = Cidr.parse(text);
        if (parsed.putIfAbsent(cidr, value) != null) {
          problems.add("network " + cidr + " is mapped twice");
        }
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    });
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    return of(parsed);
  }

  public Optional<V> lookup(InetAddress address) {
    for (Entry<V> entry : entries) {
      if (entry.network().contains(address)) {
        return Optional.of(entry.value());
      }
    }
    return Optional.empty();
  }

  /** The same networks with each value transformed (e.g. key id text → UUID). */
  public <W> CidrMap<W> mapValues(Function<? super V, ? extends W> transform) {
    List<Entry<W>> mapped = new ArrayList<>();
    entries.forEach(e -> mapped.add(new Entry<>(e.network(), transform.apply(e.value()))));
    return new CidrMap<>(List.copyOf(mapped));
  }

  public boolean isEmpty() {
    return entries.isEmpty();
  }
}
