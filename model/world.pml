/*
 * What the sign-in and relay models share: what each party has learnt, the actors' steps (as macros
 * over the steps of protocol.pml), and the clock. A model defines NREQ, includes this file, declares
 * its actors and `start_actors`, and ends with checks.pml.
 *
 * Request 0 is always the one the user's desktop makes, request 1 the one the attacker's desktop
 * makes. Each step prints `@S <tick> <actor> <op> ... -> <outcome>`, which test/model/replay.ts plays
 * against LoginFlows; `@K` lines say what a party learnt, for reading counterexamples. Printing costs
 * nothing in a verification: pan does not run printf.
 */
#include "protocol.pml"

mtype upNet;              /* where the user's phone is: HOME (beside the desktop) or MOBILE */
byte tokA[NREQ];          /* what the user's phone knows of each request's scan token (TOK_*) */
byte codeA[NREQ];         /* and of its typed code (K_*) */
byte tokM[NREQ];          /* the same for the attacker's phone */
byte codeM[NREQ];
byte screen[NREQ];        /* the typed code the requesting desktop shows (K_*): none until it asks */
byte phishTok;            /* what the phishing page shows of R1's QR (TOK_*) */
byte phishCode;           /* and of its typed code (K_*) */
byte inbox;               /* the attacker's message to the user, "type this code": R1's code, or none */
bool calm;                /* simulations only: this episode, nobody cancels or denies, and in the
                             sign-in model the attacker stays away (so random traces also reach the
                             end of a sign-in); always 0 in a verification */
bool stolen;              /* the attacker holds R0's browser secret (never its browser key) */

/* For the printed steps only, out of every state: the period of each token known above and which
 * code (the how-manieth shown) each code is, so that the replay sends that very token or code. */
hidden byte perA[NREQ];
hidden byte perM[NREQ];
hidden byte perPhish;
hidden byte genA[NREQ];
hidden byte genM[NREQ];
hidden byte genScreen[NREQ];
hidden byte genPhish;
hidden byte genInbox;

/* The desktop of request r shows its QR (and its typed code, once it asked for one): it is a pending
 * QR request, alive. It holds every period's token, so it shows the current period's with no step. */
#define SHOWS_QR(r) (made[r] && !push[r] && st[r] == S_PENDING && left[r] > 0)

/* A new code of request r: every code anybody knows of it is one older. */
inline age_codes(r) {
  CODE_NEWER(r, codeA[r]); CODE_NEWER(r, codeM[r]); CODE_NEWER(r, screen[r]);
  if
  :: r == 1 -> CODE_NEWER(r, phishCode); CODE_NEWER(r, inbox)
  :: else -> skip
  fi
}

/*
 * A tick: every scan token anybody holds of request r is a tick closer to its end, and codes past
 * theirs are dead. Two things no outcome depends on are forgotten, for fewer states: how long a token
 * has left once its request no longer waits (a scan checks it only while pending), and the code on a
 * screen that no longer shows one (it never shows one again).
 */
#define TOK_DOWN(r, k) \
  if \
  :: k > TOK_DEAD && st[r] == S_PENDING -> k-- \
  :: k > TOK_DEAD && st[r] != S_PENDING -> k = TOK_DEAD \
  :: else -> skip \
  fi
inline age_knowledge(r) {
  TOK_DOWN(r, tokA[r]); TOK_DOWN(r, tokM[r]);
  CODE_TICK(r, codeA[r]); CODE_TICK(r, codeM[r]); CODE_TICK(r, screen[r]);
  if :: !SHOWS_QR(r) -> screen[r] = K_NONE :: else -> skip fi;
  if
  :: r == 1 -> TOK_DOWN(r, phishTok); CODE_TICK(r, phishCode); CODE_TICK(r, inbox)
  :: else -> skip
  fi
}

/* A party that reads the screen of r learns what it shows, into `tok` (and `per`, its period) and
 * `code` (and `gen`); SCREEN_DIFFERS says whether that would teach it anything. */
#define SCREEN_DIFFERS(r, tok, code) (tok != TOK_SHOWN(r) || code != screen[r])
#define READ_SCREEN(r, tok, per, code, gen) tok = TOK_SHOWN(r); per = PERIOD(r); code = screen[r]; gen = genScreen[r]
/* The desktop that asked for request r's new code learns it, into `code` and `gen`. */
#define GOT_CODE(r, code, gen) if :: res == ok -> code = K_CUR; gen = codeGen[r] - 1 :: else -> skip fi
#define CLEAR res = 0; s_ = 0; q = 0
#define NOISY (!calm)

/* Random simulations end after MAXT ticks. A verification lets the clock and the parties run on:
 * every deadline reaches 0 and stays there, so the state space is finite anyway. */
#ifndef MAXT
#define MAXT 8
#endif
#ifdef TRACES
#define STOP :: ticks >= MAXT -> break
#else
#define STOP
#endif


/* A redemption, `me`, by desktop `who` holding `secret` and `key`: the lease (`tab` is 1 while the hook
 * runs); then the hook returns in time, fails (throws or times out), or dies with its process.
 * With -DSLOW_NOTIFIER the lease's change is published first, which may take ticks (`tab` is 2 until
 * it returns): LoginFlows starts the hook, and its timeout, only once the publish returned. */
#ifdef SLOW_NOTIFIER
#define LEASED 2
#else
#define LEASED 1
#endif
#define REDEEM(actor, r, me, secret, key, tab) \
       redeem_start(r, me, secret, key, res); \
       printf("@S %d %e redeem r=%d tab=%d secret=%d key=%d -> %e\n", ticks, actor, r, me, secret, key, res); \
       if :: res == ok -> tab = LEASED :: res == replayed -> sessionTo[r] = actor :: else -> skip fi
#ifdef SLOW_NOTIFIER
#define PUBLISHED(actor, r, me, tab) \
  :: atomic { tab == 2 -> tab = 1; hookLeft[me] = T_HOOK; \
       printf("@S %d %e published r=%d tab=%d -> ok\n", ticks, actor, r, me) }
#else
#define PUBLISHED(actor, r, me, tab)
#endif
#define HOOK_STEPS(actor, r, me, who, tab, after) \
  PUBLISHED(actor, r, me, tab) \
  :: atomic { tab == 1 && hookLeft[me] > 0 -> hook_ok(r, me, who, res); \
       printf("@S %d %e hook r=%d tab=%d result=ok -> %e acct=%e\n", ticks, actor, r, me, res, sessionAcct[r]); \
       tab = 0; after; CLEAR } \
  :: atomic { tab == 1 -> hook_fail(r, me, res); \
       printf("@S %d %e hook r=%d tab=%d result=fail -> %e\n", ticks, actor, r, me, res); \
       tab = 0; after; CLEAR } \
  :: atomic { tab != 0 -> hook_crash(me); printf("@S %d %e hook r=%d tab=%d result=crash -> none\n", ticks, actor, r, me); \
       tab = 0; after; CLEAR }

/* A desktop asks to show request r's typed code, with the browser secret if it holds it. */
#define SHOW_CODE(actor, r, secret) \
       show_code(r, secret, res); \
       printf("@S %d %e show r=%d secret=%d -> %e\n", ticks, actor, r, secret, res)

/* What a phone does with what it knows (`tok`, `per`, `code`, `gen`), as account `who` from network `net`:
 * scan the QR or type the code it saw, approve any request by id with the number, another, or none,
 * deny. */
#define PHONE_STEPS(actor, who, net, tok, per, code, gen) \
  :: atomic { if :: tok[0] != TOK_NONE -> q = 0 :: tok[1] != TOK_NONE -> q = 1 fi; \
       scan_token(q, tok[q], who, net, res); \
       printf("@S %d %e scan r=%d period=%d -> %e\n", ticks, actor, q, per[q], res); CLEAR } \
  :: atomic { if :: code[0] != K_NONE -> q = 0 :: code[1] != K_NONE -> q = 1 fi; \
       scan_code(q, code[q], who, net, res); \
       printf("@S %d %e code r=%d gen=%d -> %e\n", ticks, actor, q, gen[q], res); CLEAR } \
  :: atomic { if :: made[0] -> q = 0 :: made[1] -> q = 1 fi; \
       if :: calm -> num = n_right :: NOISY -> num = n_none :: NOISY -> num = n_right :: NOISY -> num = n_wrong fi; \
       approve(q, who, net, num, res); \
       printf("@S %d %e approve r=%d num=%e -> %e\n", ticks, actor, q, num, res); num = 0; CLEAR } \
  :: atomic { NOISY && (made[0] || made[1]) -> if :: made[0] -> q = 0 :: made[1] -> q = 1 fi; \
       deny(q, who, res); printf("@S %d %e deny r=%d -> %e\n", ticks, actor, q, res); CLEAR }

proctype Clock() {
  STEP_LOCALS;
  byte slow;
  do
#ifdef TRACES
  /* in simulations the clock must be scheduled three times per tick, so that the parties get a few
   * steps done between two ticks */
  :: atomic { ticks < MAXT && slow < 2 -> slow++ }
  :: atomic { ticks < MAXT && slow == 2 -> slow = 0; tick(); printf("@S %d clock tick\n", ticks) }
#else
  :: atomic { tick(); printf("@S %d clock tick\n", ticks) }
#endif
#ifdef WEAK_TTL_EXPIRY
  /* the sweeper: some time after a deadline, the store drops the request */
  :: atomic { if :: made[0] && LIVE(0) && left[0] == 0 -> r_ = 0 :: made[1] && LIVE(1) && left[1] == 0 -> r_ = 1 fi;
       st[r_] = S_EXPIRED; printf("@K %d sweeper expires r=%d\n", ticks, r_); r_ = 0 }
#endif
  STOP
  od
}
