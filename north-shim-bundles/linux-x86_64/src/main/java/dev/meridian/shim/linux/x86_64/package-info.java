/**
 * The system calls of the Linux x86-64 ABI as Meridian's North shim knows them: one declarative
 * table ({@link dev.meridian.shim.linux.x86_64.LinuxX86_64Syscalls}) giving each call's number,
 * name, argument kinds, how far the shim decodes it and why a policy might restrict it, plus the
 * Linux error numbers ({@link dev.meridian.shim.linux.x86_64.LinuxErrno}). Exported so that
 * policies can name calls, arguments and errors.
 */
package dev.meridian.shim.linux.x86_64;
