/**
 * Loads Kairos's subset of the Mesos v1 protobuf schema (proto/mesos/v1/*.proto) once,
 * with `keepCase: true` so message objects use the upstream snake_case field names: the
 * same shape Mesos's stout JSON uses on the wire.
 */
import protobuf from 'protobufjs';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The directory holding `mesos/v1/*.proto` (the repository's proto/ folder). */
export const protoDir = fileURLToPath(new URL('../../proto/', import.meta.url));

function load(): protobuf.Root {
  const root = new protobuf.Root();
  // Imports are written as upstream does ("mesos/v1/mesos.proto"), relative to protoDir.
  root.resolvePath = (_origin, target) => (existsSync(target) ? target : protoDir + target);
  root.loadSync(['mesos/v1/mesos.proto', 'mesos/v1/scheduler.proto'], { keepCase: true });
  root.resolveAll();
  return root;
}

/** The loaded, resolved schema. */
export const mesosRoot: protobuf.Root = load();

/** `mesos.v1.scheduler.Call`: what a scheduler sends to `/api/v1/scheduler`. */
export const CallType: protobuf.Type = mesosRoot.lookupType('mesos.v1.scheduler.Call');
/** `mesos.v1.scheduler.Event`: what the master streams back on SUBSCRIBE. */
export const EventType: protobuf.Type = mesosRoot.lookupType('mesos.v1.scheduler.Event');

/** Looks up any message of the schema by its full name, e.g. `mesos.v1.TaskInfo`. */
export function messageType(fullName: string): protobuf.Type {
  return mesosRoot.lookupType(fullName);
}
