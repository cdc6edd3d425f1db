/*
 * The relay model: the attacker starts a sign-in, R1 (a QR request, or a push naming the user's
 * account), and tries to get the user to approve it, under every relay policy. The user's own
 * request is signin.pml's: requests share nothing in the store but rate-limit counters, which are
 * not modelled, so a model of both at once would be the product of the two for no new behaviour.
 * Concurrently:
 *
 *   AD  the attacker's desktop: makes R1, shows its QR (the current period's, by the clock), asks
 *       for typed codes, writes to the user, redeems R1 (its hook returns, fails or dies), cancels
 *   PH  a phishing page the user visits: it shows whatever the attacker's screen shows (QRLJacking),
 *       his QR and his latest code
 *   the message channel `inbox`: the attacker writes "type this code" with R1's current code; for a
 *       push, "approve and pick 42" is any answer the user's phone may give (below)
 *   UP  the user's phone (account ALICE), at home or on mobile data: reads the phishing page (on the
 *       user's desktop) and her messages, scans and types what she read, approves by id with the
 *       number, another or none, denies; she believes what she is told
 *   AP  the attacker's phone (account MALLORY): reads the attacker's screen, scans, types, approves
 *       and denies anything
 *   the clock, whose tick also moves R1's QR to its next period
 *
 * Checked: p3_relay above all, and p1_secret, p1_approval, p2_once, p5_dead (checks.pml).
 */
#define NREQ 2

#include "world.pml"

proctype AttackerDesktop() {
  STEP_LOCALS; byte q;
  bool isPush;
  byte tab;
  atomic {
    if :: isPush = 0 :: isPush = 1 fi;
    create(1, isPush, 0, ATK);
    printf("@S %d AD create r=1 push=%d key=0 -> ok\n", ticks, isPush);
    isPush = 0
  }
  do
  :: atomic { made[1] -> SHOW_CODE(AD, 1, 1); GOT_CODE(1, screen[1], genScreen[1]); CLEAR }
  :: atomic { SHOWS_QR(1) && screen[1] == K_CUR && inbox == K_NONE -> inbox = K_CUR; genInbox = genScreen[1];
       printf("@K %d AD writes to UP: type the code of r=1 gen=%d\n", ticks, genInbox) }
  :: atomic { tab == 0 -> REDEEM(AD, 1, 3, 1, 1, tab); CLEAR }
  HOOK_STEPS(AD, 1, 3, AD, tab, skip)
  :: atomic { NOISY && made[1] -> cancel(1, 1, res); printf("@S %d AD cancel r=1 secret=1 -> %e\n", ticks, res); CLEAR }
  STOP
  od
}

proctype PhishingPage() {
  do
  :: atomic { SHOWS_QR(1) && SCREEN_DIFFERS(1, phishTok, phishCode) -> READ_SCREEN(1, phishTok, perPhish, phishCode, genPhish);
       printf("@K %d PH relays r=1 period=%d code=%d\n", ticks, perPhish, genPhish) }
  STOP
  od
}

proctype UserPhone() {
  STEP_LOCALS; byte q;
  byte num;
  do
  :: atomic { phishTok != TOK_NONE && (tokA[1] != phishTok || codeA[1] != phishCode) ->
       tokA[1] = phishTok; perA[1] = perPhish; codeA[1] = phishCode; genA[1] = genPhish;
       printf("@K %d UP sees r=1 period=%d code=%d via=phishing-page\n", ticks, perA[1], genA[1]) }
  :: atomic { inbox != K_NONE -> codeA[1] = inbox; genA[1] = genInbox; inbox = K_NONE;
       printf("@K %d UP reads r=1 code=%d via=message\n", ticks, genA[1]) }
  PHONE_STEPS(UP, ALICE, upNet, tokA, perA, codeA, genA)
  STOP
  od
}

proctype AttackerPhone() {
  STEP_LOCALS; byte q;
  byte num;
  do
  :: atomic { SHOWS_QR(1) && SCREEN_DIFFERS(1, tokM[1], codeM[1]) -> READ_SCREEN(1, tokM[1], perM[1], codeM[1], genM[1]);
       printf("@K %d AP sees r=1 period=%d code=%d via=screen\n", ticks, perM[1], genM[1]) }
  PHONE_STEPS(AP, MALLORY, ATK, tokM, perM, codeM, genM)
  STOP
  od
}

inline start_actors() {
  run Clock(); run AttackerDesktop(); run PhishingPage(); run UserPhone(); run AttackerPhone()
}

#include "checks.pml"
