import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * What the process table (Linux's /proc) says about the process groups `npm start` started:
 * their members and memory, and whether one listens beyond loopback. Empty where there is no
 * /proc: the limits it serves are then not watched.
 */

const PAGE_KB = 4;

/** Every process of each group: pid, resident KB (from /proc). */
export const processesByGroup = (): Map<number, { pid: number; rssKb: number }[]> => {
  const groups = new Map<number, { pid: number; rssKb: number }[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return groups;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const pgrp = Number(fields[2]);
      const rssKb = Number(fields[21]) * PAGE_KB;
      const list = groups.get(pgrp) ?? [];
      list.push({ pid: Number(entry), rssKb });
      groups.set(pgrp, list);
    } catch {
      // Gone meanwhile.
    }
  }
  return groups;
};

/** Socket inodes listening on an address other than loopback, from a /proc net table. */
const publicListeners = (table: string): Set<string> => {
  const inodes = new Set<string>();
  for (const line of table.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const [local, state, inode] = [cols[1], cols[3], cols[9]];
    if (!local || state !== '0A' || !inode) continue;
    const address = local.split(':')[0] ?? '';
    // 0100007F is 127.0.0.1; the IPv6 loopback is ::1 (and v4-mapped loopback).
    const loopback =
      address === '0100007F' ||
      address === '00000000000000000000000001000000' ||
      address === '0000000000000000FFFF00000100007F';
    if (!loopback) inodes.add(inode);
  }
  return inodes;
};

/**
 * The sockets listening beyond loopback in this process's network namespace, which every
 * hosted application shares (the sandbox separates mounts and users, not networks). Read once
 * per look: the tables list every socket of the machine, connections included, so reading them
 * once per application would cost (applications x sockets) each second.
 */
export const publicListenerInodes = (): Set<string> => {
  const inodes = new Set<string>();
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    try {
      for (const inode of publicListeners(readFileSync(table, 'utf8'))) inodes.add(inode);
    } catch {
      // No IPv6 (or no /proc): nothing listens there.
    }
  }
  return inodes;
};

/** Whether any of `pids` holds one of the `listening` sockets (from `publicListenerInodes`). */
export const listensPublicly = (pids: number[], listening: Set<string>): boolean => {
  if (listening.size === 0) return false;
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode && listening.has(inode)) return true;
      }
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return false;
};

/** The size of a folder tree in MB, counted until it passes `stopAboveMb` (then that is known). */
export const diskUsageMb = (dir: string, stopAboveMb: number): number => {
  let bytes = 0;
  const limit = stopAboveMb * 1024 * 1024;
  const walk = (path: string) => {
    if (bytes > limit) return;
    let names: string[];
    try {
      names = readdirSync(path);
    } catch {
      return;
    }
    for (const name of names) {
      const child = `${path}/${name}`;
      try {
        const stat = lstatSync(child);
        if (stat.isDirectory()) walk(child);
        else bytes += stat.size;
      } catch {
        // Gone meanwhile.
      }
      if (bytes > limit) return;
    }
  };
  walk(dir);
  return bytes / (1024 * 1024);
};
