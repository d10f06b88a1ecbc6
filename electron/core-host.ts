/**
 * Starts the core in an Electron utility process and brokers one MessagePort pair per renderer
 * load: one end to the core, the other to the preload. Stops the core cleanly on quit.
 */
import { MessageChannelMain, utilityProcess, type UtilityProcess, type WebContents } from 'electron';

export interface CoreHost {
  connect(webContents: WebContents): void;
  stop(): Promise<void>;
  onExit(listener: (code: number) => void): void;
}

export function startCore(opts: { modulePath: string; dataDir: string; env: NodeJS.ProcessEnv }): CoreHost {
  const child: UtilityProcess = utilityProcess.fork(opts.modulePath, ['--data', opts.dataDir], {
    serviceName: 'Tapdesk core',
    stdio: 'inherit',
    env: opts.env,
  });
  let exited = false;
  const exitListeners: ((code: number) => void)[] = [];
  child.on('exit', (code) => {
    exited = true;
    for (const l of exitListeners) l(code);
  });

  return {
    connect(webContents) {
      const { port1, port2 } = new MessageChannelMain();
      child.postMessage({ type: 'connect' }, [port1]);
      webContents.postMessage('tapdesk:port', null, [port2]);
    },
    async stop() {
      if (exited) return;
      const done = new Promise<void>((resolve) => exitListeners.push(() => resolve()));
      child.postMessage({ type: 'shutdown' });
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000));
      if ((await Promise.race([done, timeout])) === 'timeout') child.kill();
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
  };
}
