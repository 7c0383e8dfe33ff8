package dev.sluice.dualwrite;

import java.util.Optional;

/** One of the two stores, as the application reaches it (a DAO, a repository, a client). */
public interface Store<K, V> {

  Optional<V> read(K key) throws Exception;

  void write(K key, V value) throws Exception;
}
