// SPEC rule 23 on the embedded database. Prisma's better-sqlite3 adapter runs every query of the
// process on one connection, and its mutex orders transactions among themselves only: a query
// issued while another request's interactive transaction is open runs *inside* that transaction
// and is rolled back with it (an acknowledged write silently undone), and a read sees rows that
// may never commit. This wrapper puts one queue in front of the connection that every statement
// goes through: a transaction holds the connection from BEGIN to COMMIT/ROLLBACK, and a
// statement outside a transaction waits for it, so nothing ever runs inside someone else's
// transaction.
//
// Why a queue and not a connection per transaction: better-sqlite3 is synchronous, so a second
// connection waiting on SQLite's write lock (busy_timeout) would block the event loop that the
// lock holder needs in order to finish — a deadlock in one process. SQLite allows one writer at a
// time anyway; the queue makes that explicit and keeps waiting asynchronous.
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from "@prisma/driver-adapter-utils";

/** A FIFO lock: one holder at a time, waiters resume in arrival order, no cost when free. */
export class ConnectionQueue {
  #busy = false;
  #waiters: Array<() => void> = [];
  #head = 0;

  acquire(): Promise<void> {
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    if (this.#head < this.#waiters.length) {
      const next = this.#waiters[this.#head]!;
      this.#waiters[this.#head++] = noop;
      if (this.#head > 1024 && this.#head * 2 > this.#waiters.length) {
        this.#waiters = this.#waiters.slice(this.#head);
        this.#head = 0;
      }
      next();
    } else {
      this.#busy = false;
      this.#waiters = [];
      this.#head = 0;
    }
  }

  /** Statements waiting for the connection (for tests and diagnostics). */
  get waiting(): number {
    return this.#waiters.length - this.#head;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }
}

function noop() {}

const statement = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });
const ENDS_TRANSACTION = /^\s*(COMMIT|ROLLBACK)\b/i;

/**
 * A transaction on the shared connection that holds the queue until it ends. Prisma sends the
 * COMMIT or ROLLBACK statement itself, then calls commit()/rollback(); if that statement fails the
 * transaction is rolled back here and the queue released, so a failed commit can never leave the
 * connection inside a transaction or the queue held forever.
 */
function queuedTransaction(connection: SqlDriverAdapter, release: () => void): Transaction {
  let released = false;
  const releaseOnce = () => {
    if (!released) {
      released = true;
      release();
    }
  };
  return {
    provider: connection.provider,
    adapterName: connection.adapterName,
    options: { usePhantomQuery: false },
    queryRaw: (query) => connection.queryRaw(query),
    async executeRaw(query) {
      if (!ENDS_TRANSACTION.test(query.sql)) return connection.executeRaw(query);
      try {
        return await connection.executeRaw(query);
      } catch (error) {
        await connection.executeRaw(statement("ROLLBACK")).catch(() => 0);
        releaseOnce();
        throw error;
      }
    },
    commit: () => Promise.resolve(releaseOnce()),
    rollback: () => Promise.resolve(releaseOnce()),
  };
}

/**
 * The adapter with every statement and transaction going through one queue. Transactions begin
 * with BEGIN IMMEDIATE: the write lock is taken up front (waiting up to the busy timeout for
 * another process such as a seed script), so a transaction never fails half-way on an upgrade.
 */
export function serializeAdapter(
  connection: SqlDriverAdapter,
  queue = new ConnectionQueue(),
): SqlDriverAdapter {
  const adapter: SqlDriverAdapter = {
    provider: connection.provider,
    adapterName: connection.adapterName,
    queryRaw: (query) => queue.run(() => connection.queryRaw(query)),
    executeRaw: (query) => queue.run(() => connection.executeRaw(query)),
    executeScript: (script) => queue.run(() => connection.executeScript(script)),
    async startTransaction(isolationLevel) {
      if (isolationLevel && isolationLevel !== "SERIALIZABLE") {
        throw new Error(`SQLite transactions are always SERIALIZABLE, not ${isolationLevel}.`);
      }
      await queue.acquire();
      try {
        await connection.executeRaw(statement("BEGIN IMMEDIATE"));
      } catch (error) {
        queue.release();
        throw error;
      }
      return queuedTransaction(connection, () => queue.release());
    },
    dispose: () => connection.dispose(),
  };
  if (connection.getConnectionInfo) adapter.getConnectionInfo = () => connection.getConnectionInfo!();
  return adapter;
}

/**
 * Wraps an adapter factory so each connection it makes is serialised, and runs `setup` (PRAGMAs)
 * on it once before first use.
 */
export function serializedAdapterFactory(
  inner: SqlDriverAdapterFactory,
  setup?: string,
): SqlDriverAdapterFactory {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const connection = await inner.connect();
      if (setup) await connection.executeScript(setup);
      return serializeAdapter(connection);
    },
  };
}
