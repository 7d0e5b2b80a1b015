/**
 * What the command line needs from the policy engine beyond the {@code PolicyEngine} service:
 * {@link dev.meridian.policy.PolicyExplanation} renders {@code meridian policy explain}, and
 * {@link dev.meridian.policy.PolicyWriter} writes the policy {@code meridian policy learn} learned.
 */
package dev.meridian.policy;
