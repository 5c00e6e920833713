package dev.aauth.keycloak.pending;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Holding a poll for {@code Prefer: wait} (RFC 7240 §4.3; contract "Polling") inside Keycloak.
 *
 * <p>A decision is made by another request (the consent form), possibly on another node, and lands in
 * the cluster's single-use store, which offers no change notification. So a held poll re-reads its
 * record every {@link #STEP_MILLIS} ms until it is decided or the deadline passes. Each held poll
 * occupies one request worker thread, so the hold is bounded twice: in time by {@code aauth.maxPollWait}
 * (default 5 s, at most 30 s), and in number by {@code aauth.maxHeldPolls} per realm on this node
 * (default 16): a poll beyond that is answered at once, as if it had not asked to wait.
 */
public final class PollHold {

    static final long STEP_MILLIS = 250;

    private static final Map<String, AtomicInteger> HELD = new ConcurrentHashMap<>();

    private PollHold() {
    }

    /**
     * Waits until {@code decided} is true or {@code millis} pass, re-checking every step.
     *
     * @return false, at once, when the realm already holds {@code maxHeld} polls (nothing was waited)
     */
    public static boolean hold(String realmId, int maxHeld, long millis, BooleanSupplier decided) {
        AtomicInteger held = HELD.computeIfAbsent(realmId, k -> new AtomicInteger());
        if (held.incrementAndGet() > maxHeld) {
            held.decrementAndGet();
            return false;
        }
        try {
            long deadline = System.nanoTime() + millis * 1_000_000L;
            while (!decided.getAsBoolean()) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                Thread.sleep(Math.min(STEP_MILLIS, left));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            held.decrementAndGet();
        }
        return true;
    }
}
