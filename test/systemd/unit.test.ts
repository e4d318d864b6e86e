import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const unitPath = join(repoRoot, 'systemd', 'stickerbot.service');
const unitText = readFileSync(unitPath, 'utf8');
const MAX_EXPOSURE = 1.5;

type Unit = Map<string, Map<string, string[]>>;

/** Minimal systemd unit parser: sections, repeated keys, comments. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit.get(header[1]) ?? new Map();
      unit.set(header[1], section);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !section) throw new Error(`unparsable unit line: ${raw}`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    section.set(key, [...(section.get(key) ?? []), value]);
  }
  return unit;
}

const unit = parseUnit(unitText);
const service = unit.get('Service') ?? new Map<string, string[]>();
const all = (key: string): string[] => service.get(key) ?? [];
/** Last assignment wins, as in systemd. */
const last = (key: string): string | undefined => all(key).at(-1);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function systemdAnalyze(args: string[]): Run {
  const r = spawnSync('systemd-analyze', args, {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'C.UTF-8', SYSTEMD_PAGER: 'cat', SYSTEMD_COLORS: '0' },
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function systemdVersion(): number | undefined {
  const r = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  const m = /^systemd (\d+)/m.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}

/** Copy of the unit in a temp dir (same file name, so the same unit name). */
function withUnitCopy<T>(text: string, fn: (path: string, dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'stickerbot-unit-'));
  try {
    const path = join(dir, 'stickerbot.service');
    writeFileSync(path, text);
    return fn(path, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** verify's diagnostics that concern our unit (other units on the host may be noisy). */
function unitDiagnostics(run: Run, dir: string): string[] {
  return `${run.stdout}\n${run.stderr}`
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => l.includes('stickerbot') || l.includes(dir));
}

function verify(path: string, dir: string): { run: Run; diagnostics: string[] } {
  const run = systemdAnalyze(['verify', '--man=no', path]);
  return { run, diagnostics: unitDiagnostics(run, dir) };
}

/** ExecStart with /usr/bin/node replaced by the node running this test. */
function withLocalNode(text: string): string {
  return text.replace(/^(ExecStart=)\/usr\/bin\/node(?=\s)/m, `$1${process.execPath}`);
}

describe('systemd/stickerbot.service', function () {
  describe('structure', function () {
    it('has [Unit], [Service] and [Install] sections', function () {
      expect([...unit.keys()]).to.include.members(['Unit', 'Service', 'Install']);
      expect(unit.get('Install')?.get('WantedBy')).to.deep.equal(['multi-user.target']);
    });

    it('is Type=notify and accepts the readiness message from a systemd-notify child', function () {
      expect(last('Type')).to.equal('notify');
      expect(last('NotifyAccess')).to.equal('all');
    });

    it('ExecStart runs `stickerbot start` with node in the foreground', function () {
      expect(all('ExecStart')).to.have.lengthOf(1);
      const argv = all('ExecStart')[0].split(/\s+/);
      expect(argv[0]).to.equal('/usr/bin/node');
      expect(argv[1]).to.equal('/opt/stickerbot/bin/stickerbot');
      expect(argv[2]).to.equal('start');
      expect(argv.slice(3)).to.deep.equal(['--config', '/etc/stickerbot/config.json']);
    });

    it('reloads with SIGHUP and stops within the daemon grace period', function () {
      expect(last('ExecReload')).to.equal('/bin/kill -HUP $MAINPID');
      expect(last('Restart')).to.equal('on-failure');
      expect(last('RestartSec')).to.equal('5');
      // The daemon's own shutdown timeout is 10 s; systemd must wait longer.
      expect(Number(last('TimeoutStopSec'))).to.be.greaterThan(10);
    });

    it('never sets MemoryDenyWriteExecute=yes (V8 JIT needs W+X memory)', function () {
      for (const v of all('MemoryDenyWriteExecute')) {
        expect(v.toLowerCase()).to.not.be.oneOf(['yes', 'true', 'on', '1']);
      }
      expect(unitText).to.not.match(/^\s*MemoryDenyWriteExecute\s*=\s*(yes|true|on|1)\s*$/im);
    });

    it('passes the bot token as a credential named bot-token', function () {
      const creds = all('LoadCredential');
      expect(creds).to.include('bot-token:/etc/stickerbot/bot-token');
      expect(unitText).to.not.match(/^\s*Environment\s*=.*TOKEN/im);
    });

    it('sets state, runtime and configuration directories for a dynamic user', function () {
      expect(last('DynamicUser')).to.equal('yes');
      expect(last('StateDirectory')).to.equal('stickerbot');
      expect(last('RuntimeDirectory')).to.equal('stickerbot');
      expect(last('RuntimeDirectoryMode')).to.be.oneOf(['0750', '0700']);
      expect(last('ConfigurationDirectory')).to.equal('stickerbot');
      expect(last('UMask')).to.equal('0077');
      expect(all('Environment')).to.include('NODE_ENV=production');
    });

    it('allows the socket families node and the daemon need', function () {
      const families = all('RestrictAddressFamilies').join(' ').split(/\s+/);
      expect(families[0]).to.not.match(/^~/);
      // AF_NETLINK: os.networkInterfaces() (node-ipc calls it at load time).
      expect(families).to.include.members(['AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK']);
    });

    it('filters syscalls without killing node on a denied call', function () {
      expect(all('SystemCallFilter')[0]).to.match(/^@system-service\b/);
      expect(all('SystemCallFilter').some((v) => v.startsWith('~') && v.includes('@privileged'))).to.equal(true);
      expect(last('SystemCallErrorNumber')).to.equal('EPERM');
      expect(last('SystemCallArchitectures')).to.equal('native');
      expect(last('CapabilityBoundingSet')).to.equal('');
      expect(last('NoNewPrivileges')).to.equal('yes');
    });
  });

  describe('systemd-analyze', function () {
    let version: number | undefined;

    before(function () {
      version = systemdVersion();
      if (version === undefined) this.skip();
    });

    it('verify reports problems in a broken copy (sanity check of this test)', function () {
      const broken = unitText
        .replace(/^Type=notify$/m, 'Type=notify\nNoSuchOption=1')
        .replace(/^(ExecStart=)\S+/m, '$1/nonexistent/node');
      withUnitCopy(broken, (path, dir) => {
        const { run, diagnostics } = verify(path, dir);
        expect(run.status).to.not.equal(0);
        expect(diagnostics.join('\n')).to.match(/NoSuchOption/);
        expect(diagnostics.join('\n')).to.match(/\/nonexistent\/node/);
      });
    });

    it('verify passes with ExecStart pointing at this node binary', function () {
      withUnitCopy(withLocalNode(unitText), (path, dir) => {
        const { run, diagnostics } = verify(path, dir);
        expect(diagnostics, diagnostics.join('\n')).to.deep.equal([]);
        expect(run.status, run.stderr).to.equal(0);
      });
    });

    it('verify passes on the unit file as shipped', function () {
      // Only /usr/bin/node is checked (verify does not look at arguments).
      if (!existsSync('/usr/bin/node')) this.skip();
      const dir = dirname(unitPath);
      const { run, diagnostics } = verify(unitPath, dir);
      expect(diagnostics, diagnostics.join('\n')).to.deep.equal([]);
      expect(run.status, run.stderr).to.equal(0);
    });

    it(`security --offline reports an exposure <= ${MAX_EXPOSURE}`, function () {
      // --offline= appeared in systemd 250.
      if (version! < 250) this.skip();
      const run = systemdAnalyze(['security', '--offline=true', '--no-pager', unitPath]);
      expect(run.status, run.stderr).to.equal(0);
      const m = /Overall exposure level for stickerbot\.service:\s*(\d+(?:\.\d+)?)/.exec(run.stdout);
      expect(m, run.stdout).to.not.equal(null);
      const exposure = Number(m![1]);
      expect(exposure, run.stdout).to.be.at.most(MAX_EXPOSURE);
    });
  });
});
