/**
 * What the fake fly prints when a fault is injected. `garbage` is the kind of non-JSON a proxy
 * error page or a half-written stream produces; `wrong-shape` is valid JSON that is not what the
 * command promises. Both exit 0: a naive caller would believe them. `exit1` fails like flyctl.
 * For `deploy`, none of these create a release.
 */
import type { FaultCommand } from '../sim-types.ts';

export interface FaultOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const BAD_GATEWAY_PAGE = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

export function garbageOutput(command: FaultCommand): FaultOutput {
  switch (command) {
    case 'deploy':
      // Success-looking chatter with none of the markers (no "good state", no release JSON).
      return { stdout: `==> Building image\n\x1b[1A\x1b[2K${BAD_GATEWAY_PAGE}`, stderr: '', exitCode: 0 };
    case 'logs':
      return { stdout: '\x00\x01 upstream connect error or disconnect/reset before headers. reset reason: connection termination\n', stderr: '', exitCode: 0 };
    default:
      // A JSON document cut short, followed by an HTML error page: what a flaky proxy yields.
      return { stdout: `[\n    {\n        "ID": "Zx9vU2Lz8q",\n        "Version": 4${BAD_GATEWAY_PAGE}`, stderr: '', exitCode: 0 };
  }
}

export function wrongShapeOutput(command: FaultCommand): FaultOutput {
  const stdout: Record<FaultCommand, string> = {
    // A GraphQL envelope leaking through instead of the release array.
    releases: '{\n    "data": {\n        "app": {\n            "releases": {\n                "nodes": []\n            }\n        }\n    }\n}\n',
    status: '{\n    "errors": [\n        {\n            "message": "upstream request timeout"\n        }\n    ]\n}\n',
    // The release line is present but mistyped: version as a string, no image.
    deploy: 'Visit your newly deployed app at https://example.fly.dev/\n{"id":42,"version":"v7","image_ref":null}\n',
    logs: '[\n    {\n        "msg": "log entries moved to data[]"\n    }\n]\n',
  };
  return { stdout: stdout[command], stderr: '', exitCode: 0 };
}

export function exit1Output(command: FaultCommand, app: string): FaultOutput {
  const messages: Record<FaultCommand, string> = {
    releases: `failed retrieving app releases ${app}: server returned a 502 Bad Gateway (injected fault)`,
    deploy: `failed to update machines: lease currently held by another deploy (injected fault)`,
    status: `failed to list machines: server returned a 503 Service Unavailable (injected fault)`,
    logs: `failed to fetch logs: server returned a 500 Internal Server Error (injected fault)`,
  };
  return { stdout: '', stderr: `Error: ${messages[command]}\n`, exitCode: 1 };
}

/**
 * Never settles and keeps the process alive until it is killed, like a wedged flyctl. One
 * exception: if our parent dies (we get re-parented), exit, so a SIGKILLed test run does not
 * leave hung fake-fly processes behind.
 */
export function hangForever(): Promise<never> {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 500);
  return new Promise<never>(() => {});
}
