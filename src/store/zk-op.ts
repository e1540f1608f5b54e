/** One operation of a multi (ZooKeeper Programmer's Guide, "Multi-update"), as ZkClient.multi takes it. */
export type ZkOp =
  | { type: 'create'; path: string; data: Buffer }
  | { type: 'set'; path: string; data: Buffer; version: number }
  | { type: 'remove'; path: string; version: number }
  | { type: 'check'; path: string; version: number };
