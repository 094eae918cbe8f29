// Starts a real IMAP server for tests: Debian's Dovecot (dovecot-imapd) in the foreground with its own config, passwd-file user and maildir in a temp dir, on a free 127.0.0.1 port.
//
// What works on these machines (Dovecot 2.3, Debian 12):
// - As root, the master runs as root (it needs to, to switch users), its helper processes as the
//   package's own users (default_internal_user = dovecot, default_login_user = dovenull), and the
//   mail user is `nobody`: Dovecot refuses uid 0 for mail access ("userdb returned 0 as uid").
//   The temp dir is made world-readable (the auth process, running as `dovecot`, reads the
//   passwd file) and the maildir root is owned by nobody.
// - As any other user, everything (master, auth, login, mail) runs as that user, with that
//   user's group for the service sockets and no chroot for anvil and imap-login.
// - Start-up takes ~50–110 ms here. The TCP port opens within ~30 ms, but imap-login holds its
//   greeting until the auth process is up, so readiness is "a client got the `* OK` greeting",
//   not "the port accepts". Stopping takes ~1 s (the master's own shutdown).
// - IDLE: Dovecot reports a new message ~0.5 s after it lands (it batches change notifications).
// Messages are delivered with IMAP APPEND from a separate short-lived imapflow client per call,
// so a helper call never shares a connection (or a kicked session) with the code under test.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { freePort } from './net.js';

const DOVECOT = process.env.LEADGATE_DOVECOT_BIN || '/usr/sbin/dovecot';
const DOVEADM = process.env.LEADGATE_DOVEADM_BIN || '/usr/bin/doveadm';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface StartDovecotOptions {
  user?: string;
  password?: string;
  /**
   * Replace the advertised capability list (Dovecot's `imap_capability`), e.g. one without IDLE
   * to drive a client's polling fallback. Default: Dovecot's own list (with IDLE).
   */
  capabilities?: string;
  /** Offer STARTTLS (and IMAPS is not opened) with a throwaway self-signed certificate. */
  tls?: boolean;
}

export interface DovecotMessage {
  uid: number;
  flags: string[];
  messageId?: string;
}

export interface Dovecot {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** Milliseconds from spawning the master to the first `* OK` greeting. */
  startupMs: number;
  /** The self-signed certificate (PEM) when started with `tls`. */
  certPem?: string;
  /** IMAP APPEND (a real delivery); returns the new message's UID. */
  append(folder: string, raw: Buffer | string, flags?: string[]): Promise<number>;
  /** Messages of a folder in UID order, with their flags and Message-ID. */
  list(folder: string): Promise<DovecotMessage[]>;
  /** Folder names that exist. */
  folders(): Promise<string[]>;
  createFolder(name: string): Promise<void>;
  /** The folder's current UIDVALIDITY. */
  uidValidity(folder: string): Promise<bigint>;
  /**
   * Delete and re-create a folder with the same messages (same bytes; flags too unless
   * `keepFlags: false`), as a server migration or a restore would: UIDVALIDITY changes and
   * every UID is new. `prepend` messages are delivered first (so they get the lowest UIDs).
   * Not possible for INBOX (IMAP cannot delete it).
   */
  recreate(folder: string, opts?: { keepFlags?: boolean; prepend?: Array<Buffer | string> }): Promise<{ before: bigint; after: bigint }>;
  addFlags(folder: string, uid: number, flags: string[]): Promise<void>;
  removeFlags(folder: string, uid: number, flags: string[]): Promise<void>;
  /** Cut every IMAP session of the user (`doveadm kick`); the server keeps running. */
  dropConnections(): Promise<void>;
  /** Stop the server (connections drop, the port refuses); data and port are kept for restart(). */
  halt(): Promise<void>;
  /** Start again after halt(), on the same port with the same mailboxes. */
  restart(): Promise<void>;
  /** The server's own log (for diagnosing a failed test; it holds no message content). */
  logText(): string;
  stop(): Promise<void>;
}

function passwdEntry(name: string): { uid: number; gid: number } | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]) };
  }
  return undefined;
}

function groupName(gid: number): string {
  for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
    const f = line.split(':');
    if (Number(f[2]) === gid && f[0]) return f[0];
  }
  throw new Error(`no group name for gid ${gid} in /etc/group`);
}

/** Every process below `root` (from /proc), children before their parents' siblings. */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parentOf) {
      if (parent === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

/** True when the Dovecot binary is installed (tests may skip otherwise; scripts/test-all.sh installs it). */
export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT);
}

/** Resolves once a client receives the server's `* OK` greeting (imap-login sends it only when auth is ready). */
async function greeted(port: number, deadline: number, exited: () => boolean): Promise<void> {
  for (;;) {
    if (exited()) throw new Error('dovecot exited during start-up');
    const ok = await new Promise<boolean>((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port });
      let buf = '';
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(2000, () => done(false));
      sock.on('data', (d) => {
        buf += d.toString('latin1');
        if (buf.includes('\n')) done(buf.startsWith('* OK'));
      });
      sock.on('error', () => done(false));
      sock.on('close', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not greet on port ${port} within ${START_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function selfSignedCert(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert];
  if (spawnSync('openssl', args, { stdio: 'ignore' }).status !== 0) throw new Error('openssl could not make a test certificate');
  chmodSync(key, 0o644);
  return { cert, key };
}

export async function startDovecot(opts: StartDovecotOptions = {}): Promise<Dovecot> {
  if (!dovecotAvailable()) throw new Error(`${DOVECOT} not found; install it with: apt-get install -y dovecot-imapd`);
  const user = opts.user ?? 'leads';
  const password = opts.password ?? 'test-password';
  const dir = mkdtempSync(join(tmpdir(), 'leadgate-dovecot-'));
  // The auth process (an unprivileged user when we are root) must reach the passwd file.
  chmodSync(dir, 0o755);
  const mailRoot = join(dir, 'mail');
  for (const d of [join(dir, 'run'), join(dir, 'state'), mailRoot]) mkdirSync(d);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });

  const root = process.getuid?.() === 0;
  let internalUser: string;
  let internalGroup: string | undefined;
  let loginUser: string;
  let mail: { uid: number; gid: number };
  if (root) {
    if (!passwdEntry('dovecot') || !passwdEntry('dovenull')) throw new Error('the dovecot and dovenull users are missing (they come with the dovecot-core package)');
    internalUser = 'dovecot';
    loginUser = 'dovenull';
    mail = passwdEntry('nobody') ?? { uid: 65534, gid: 65534 };
    chownSync(mailRoot, mail.uid, mail.gid);
  } else {
    internalUser = loginUser = userInfo().username;
    mail = { uid: process.getuid!(), gid: process.getgid!() };
    // Service sockets are chowned to this group; an unprivileged master can only use its own.
    internalGroup = groupName(mail.gid);
  }
  let certPem: string | undefined;
  let tlsLines = 'ssl = no';
  if (opts.tls) {
    const { cert, key } = selfSignedCert(dir);
    certPem = readFileSync(cert, 'utf8');
    tlsLines = `ssl = yes\nssl_cert = <${cert}\nssl_key = <${key}`;
  }
  const conf = join(dir, 'dovecot.conf');
  const logPath = join(dir, 'dovecot.log');
  let port = await freePort();

  const writeConf = () =>
    writeFileSync(
      conf,
      [
        `# leadgate test instance (generated by test/support/dovecot.ts)`,
        `instance_name = leadgate-test-${port}`,
        `base_dir = ${dir}/run`,
        `state_dir = ${dir}/state`,
        `log_path = ${logPath}`,
        `protocols = imap`,
        `listen = 127.0.0.1`,
        tlsLines,
        `disable_plaintext_auth = no`,
        `auth_mechanisms = plain login`,
        `default_internal_user = ${internalUser}`,
        `default_login_user = ${loginUser}`,
        ...(internalGroup ? [`default_internal_group = ${internalGroup}`] : []),
        `first_valid_uid = 1`,
        `passdb {`,
        `  driver = passwd-file`,
        `  args = scheme=PLAIN username_format=%u ${dir}/passwd`,
        `}`,
        `userdb {`,
        `  driver = static`,
        `  args = uid=${mail.uid} gid=${mail.gid} home=${mailRoot}/%u`,
        `}`,
        `mail_location = maildir:~/Maildir`,
        // Tests open and close many sessions quickly; do not throttle them.
        `mail_max_userip_connections = 1000`,
        ...(opts.capabilities ? [`imap_capability = ${opts.capabilities}`] : []),
        // An unprivileged master cannot chroot its helpers.
        ...(root ? [] : [`service anvil {`, `  chroot =`, `}`]),
        `service imap-login {`,
        ...(root ? [] : [`  chroot =`]),
        `  inet_listener imap {`,
        `    address = 127.0.0.1`,
        `    port = ${port}`,
        `  }`,
        `  inet_listener imaps {`,
        `    port = 0`,
        `  }`,
        `}`,
        // doveadm kick talks to this socket; other services keep their defaults.
        `service doveadm {`,
        `  unix_listener doveadm-server {`,
        `    mode = 0600`,
        `  }`,
        `}`,
        '',
      ].join('\n'),
    );

  let child: ChildProcess | undefined;
  let exited = true;
  const killOnExit = () => {
    if (child?.pid && !exited) {
      for (const pid of [child.pid, ...descendants(child.pid)]) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  };
  process.once('exit', killOnExit);

  const launch = async (): Promise<number> => {
    writeConf();
    const t0 = Date.now();
    const proc = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d) => (stderr += d.toString()));
    exited = false;
    proc.once('exit', () => (exited = true));
    child = proc;
    try {
      await greeted(port, Date.now() + START_TIMEOUT_MS, () => exited);
    } catch (err) {
      const log = existsSync(logPath) ? readFileSync(logPath, 'utf8').split('\n').slice(-10).join('\n') : '';
      if (!exited) proc.kill('SIGKILL');
      throw new Error(`${(err as Error).message}\n${stderr}\n${log}`);
    }
    return Date.now() - t0;
  };

  const halt = async (): Promise<void> => {
    const proc = child;
    if (!proc || exited) return;
    // Session processes (imap, imap-login, auth) can outlive the master by seconds while they
    // say goodbye; a halted server must have cut every connection, so they go too.
    const sessions = descendants(proc.pid!);
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const force = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await gone;
    clearTimeout(force);
    for (const pid of sessions) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };

  // A port taken between freePort() and bind: pick another and try again.
  let startupMs = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      startupMs = await launch();
      break;
    } catch (err) {
      if (attempt >= 3 || !/in use/i.test(String((err as Error).message))) {
        rmSync(dir, { recursive: true, force: true });
        process.off('exit', killOnExit);
        throw err;
      }
      port = await freePort();
    }
  }

  /** Run an IMAP command, retrying a few times when the server refuses it (a mailbox briefly held by the intake). */
  const retryInUse = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };

  const withClient = async <T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: true,
      ...(opts.tls ? { tls: { rejectUnauthorized: false } } : { doSTARTTLS: false }),
    });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.logout().catch(() => c.close());
    }
  };

  const list = async (folder: string): Promise<DovecotMessage[]> =>
    withClient(async (c) => {
      const box = await c.mailboxOpen(folder, { readOnly: true });
      if (!box.exists) return [];
      const out: DovecotMessage[] = [];
      for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true })) {
        out.push({ uid: m.uid, flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(), ...(m.envelope?.messageId ? { messageId: m.envelope.messageId } : {}) });
      }
      return out.sort((a, b) => a.uid - b.uid);
    });

  const statusValidity = async (c: ImapFlow, folder: string): Promise<bigint> => {
    const st = await c.status(folder, { uidValidity: true });
    if (!st || st.uidValidity === undefined) throw new Error(`no UIDVALIDITY for ${folder}`);
    return st.uidValidity;
  };

  const ensureFolder = async (c: ImapFlow, name: string) => {
    if (name.toUpperCase() === 'INBOX') return;
    const existing = await c.list();
    if (!existing.some((f) => f.path === name)) await c.mailboxCreate(name);
  };

  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    startupMs,
    ...(certPem ? { certPem } : {}),
    append: (folder, raw, flags = []) =>
      withClient(async (c) => {
        await ensureFolder(c, folder);
        const res = await c.append(folder, typeof raw === 'string' ? Buffer.from(raw) : raw, flags);
        if (!res || !res.uid) throw new Error('APPEND returned no UID (UIDPLUS)');
        return res.uid;
      }),
    list,
    folders: () => withClient(async (c) => (await c.list()).map((f) => f.path)),
    createFolder: (name) => withClient((c) => ensureFolder(c, name)),
    uidValidity: (folder) => withClient(async (c) => await statusValidity(c, folder)),
    recreate: (folder, { keepFlags = true, prepend = [] } = {}) =>
      withClient(async (c) => {
        if (folder.toUpperCase() === 'INBOX') throw new Error('IMAP cannot delete INBOX; recreate another folder');
        const box = await c.mailboxOpen(folder);
        const before = box.uidValidity;
        const saved: Array<{ source: Buffer; flags: string[] }> = [];
        if (box.exists) {
          for await (const m of c.fetch('1:*', { uid: true, flags: true, source: true })) {
            saved.push({ source: m.source!, flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent') });
          }
        }
        await c.mailboxClose();
        // Fill a fresh folder under another name, then swap it in. Deleting and recreating in place
        // raced the intake under test: while its session held the folder, Dovecot kept the old index,
        // so the "new" folder went on numbering from the old UIDNEXT. The intake polls every second
        // and Dovecot can answer NO while it holds the mailbox, so the swap retries briefly.
        const fresh = `${folder}-recreated`;
        await c.mailboxCreate(fresh);
        for (const raw of prepend) await c.append(fresh, typeof raw === 'string' ? Buffer.from(raw) : raw, []);
        for (const m of saved) await c.append(fresh, m.source, keepFlags ? m.flags : []);
        await retryInUse(() => c.mailboxDelete(folder));
        await retryInUse(() => c.mailboxRename(fresh, folder));
        const after = await statusValidity(c, folder);
        return { before, after };
      }),
    addFlags: (folder, uid, flags) =>
      withClient(async (c) => {
        await c.mailboxOpen(folder);
        await c.messageFlagsAdd(String(uid), flags, { uid: true });
      }),
    removeFlags: (folder, uid, flags) =>
      withClient(async (c) => {
        await c.mailboxOpen(folder);
        await c.messageFlagsRemove(String(uid), flags, { uid: true });
      }),
    async dropConnections() {
      try {
        await promisify(execFile)(DOVEADM, ['-c', conf, 'kick', user]);
      } catch (err) {
        // Exit code 68 (EX_NOUSER): nobody was connected, nothing to cut.
        if ((err as { code?: unknown }).code !== 68) throw err;
      }
    },
    halt,
    async restart() {
      if (!exited) return;
      await launch();
    },
    logText: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      process.off('exit', killOnExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
