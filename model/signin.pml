/*
 * The sign-in model: the user signs in with her own request, R0 (a QR request or a push to her
 * account, with or without a browser key), under every relay policy, while an attacker is around.
 * Concurrently:
 *
 *   UD  the user's desktop: makes R0, shows its QR (the current period's, by the clock), asks for a
 *       typed code (again and again, each replacing the last), redeems it from two tabs at once (each
 *       hook returns in time, fails, or dies with its process, and the tab may try again), cancels
 *   UP  the user's phone (account ALICE), beside the desktop or on mobile data: reads the QR and code
 *       on the screen, scans it or types it (now or later), approves with the number, another or none,
 *       denies
 *   AP  the attacker's phone (account MALLORY): photographs the user's screen, scans or types what it
 *       photographed, approves and denies anything
 *   AD  the attacker's desktop: knows R0's id (not a secret), may steal R0's browser secret (an
 *       extension, XSS elsewhere on the site; never the non-extractable browser key), asks for a typed
 *       code of R0 with it (for the attacker's phone), redeems R0 with whatever it has, cancels
 *   the clock, whose tick also moves R0's QR to its next period
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
  :: atomic { made[0] -> SHOW_CODE(UD, 0, 1); GOT_CODE(0, screen[0], genScreen[0]); CLEAR }
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
  :: atomic { SHOWS_QR(0) && SCREEN_DIFFERS(0, tokA[0], codeA[0]) -> READ_SCREEN(0, tokA[0], perA[0], codeA[0], genA[0]);
       printf("@K %d UP sees r=0 period=%d code=%d via=screen\n", ticks, perA[0], genA[0]) }
  PHONE_STEPS(UP, ALICE, upNet, tokA, perA, codeA, genA)
  STOP
  od
}

proctype AttackerPhone() {
  STEP_LOCALS; byte q;
  byte num;
  do
  :: atomic { NOISY && SHOWS_QR(0) && SCREEN_DIFFERS(0, tokM[0], codeM[0]) -> READ_SCREEN(0, tokM[0], perM[0], codeM[0], genM[0]);
       printf("@K %d AP photographs r=0 period=%d code=%d\n", ticks, perM[0], genM[0]) }
  PHONE_STEPS(AP, MALLORY, ATK, tokM, perM, codeM, genM)
  STOP
  od
}

proctype AttackerDesktop() {
  STEP_LOCALS; byte q;
  byte tab;
  do
  :: atomic { NOISY && made[0] && !stolen -> stolen = 1; printf("@K %d AD steals r=0 secret\n", ticks) }
  :: atomic { NOISY && stolen -> SHOW_CODE(AD, 0, 1); GOT_CODE(0, codeM[0], genM[0]); CLEAR }
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
