/*
 * The sign-in model: the user signs in with her own request, R0 (a QR request or a push to her
 * account, with or without a browser key), under every relay policy, while an attacker is around.
 * Concurrently:
 *
 *   UD  the user's desktop: makes R0, rotates its QR (when due, or forced by a resumed stream),
 *       redeems it from two tabs at once (each hook returns in time, fails, or dies with its process,
 *       and the tab may try again), cancels
 *   UP  the user's phone (account ALICE), beside the desktop or on mobile data: reads the QR or code
 *       on the screen, scans it or types it (now or later), approves with the number, another or none,
 *       denies
 *   AP  the attacker's phone (account MALLORY): photographs the user's screen, scans or types what it
 *       photographed, approves and denies anything
 *   AD  the attacker's desktop: knows R0's id (not a secret), may steal R0's browser secret (an
 *       extension, XSS elsewhere on the site; never the non-extractable browser key), redeems R0
 *       with whatever it has, cancels
 *   the clock
 *
 * Checked: p1_secret, p1_approval, p2_once, p3_relay and p5_dead (checks.pml).
 */
#define NREQ 2

#include "world.pml"

proctype UserDesktop() {
  STEP_LOCALS; byte q;
  bool isPush, key;
  byte tab1, tab2;
  atomic {
    if :: isPush = 0 :: isPush = 1 fi;
    if :: key = 0 :: key = 1 fi;
    create(0, isPush, key, HOME);
    printf("@S %d UD create r=0 push=%d key=%d -> ok\n", ticks, isPush, key);
    isPush = 0; key = 0
  }
  do
  :: atomic { made[0] -> rotate(0, 0, res); printf("@S %d UD rotate r=0 force=0 -> %e\n", ticks, res); CLEAR }
  :: atomic { made[0] -> rotate(0, 1, res); printf("@S %d UD rotate r=0 force=1 -> %e\n", ticks, res); CLEAR }
  :: atomic { tab1 == 0 -> REDEEM(UD, 0, 1, 1, 1, tab1); CLEAR }
  HOOK_STEPS(UD, 0, 1, UD, tab1, skip)
  :: atomic { tab2 == 0 -> REDEEM(UD, 0, 2, 1, 1, tab2); CLEAR }
  HOOK_STEPS(UD, 0, 2, UD, tab2, skip)
  :: atomic { NOISY && made[0] -> cancel(0, 1, res); printf("@S %d UD cancel r=0 secret=1 -> %e\n", ticks, res); CLEAR }
  STOP
  od
}

proctype UserPhone() {
  STEP_LOCALS; byte q;
  byte num;
  do
  :: atomic { SHOWS_QR(0) && knowsA[0] != K_CUR -> knowsA[0] = K_CUR;
       printf("@K %d UP sees r=0 gen=%d via=screen\n", ticks, gen[0]) }
  PHONE_STEPS(UP, ALICE, upNet, knowsA)
  STOP
  od
}

proctype AttackerPhone() {
  STEP_LOCALS; byte q;
  byte num;
  do
  :: atomic { NOISY && SHOWS_QR(0) && knowsM[0] != K_CUR -> knowsM[0] = K_CUR;
       printf("@K %d AP photographs r=0 gen=%d\n", ticks, gen[0]) }
  PHONE_STEPS(AP, MALLORY, ATK, knowsM)
  STOP
  od
}

proctype AttackerDesktop() {
  STEP_LOCALS; byte q;
  byte tab;
  do
  :: atomic { NOISY && made[0] && !stolen -> stolen = 1; printf("@K %d AD steals r=0 secret\n", ticks) }
  :: atomic { NOISY && tab == 0 && made[0] -> REDEEM(AD, 0, 3, stolen, 0, tab); CLEAR }
  HOOK_STEPS(AD, 0, 3, AD, tab, skip)
  :: atomic { NOISY && made[0] -> cancel(0, stolen, res); printf("@S %d AD cancel r=0 secret=%d -> %e\n", ticks, stolen, res); CLEAR }
  STOP
  od
}

inline start_actors() {
  run Clock(); run UserDesktop(); run UserPhone(); run AttackerPhone(); run AttackerDesktop()
}

#include "checks.pml"
