/**
 * Meridian's SPI: the sandbox model, North shims (guest personalities), South platforms (host
 * backends), the syscall bus and policies. Nothing here names a host's types, so any platform
 * and any guest personality can plug in.
 *
 * <p>The guest path is {@link dev.meridian.api.SouthPlatform platform} → {@link
 * dev.meridian.api.SyscallGateway bus} → {@link dev.meridian.api.NorthShim shim} → {@link
 * dev.meridian.api.Policy policy} → back to the platform, on one {@link
 * dev.meridian.api.SyscallEvent} flyweight per supervisor thread.
 */
package dev.meridian.api;
