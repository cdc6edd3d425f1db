/*
 * The number model: a blind guesser at number matching ("A blind guesser at number matching" in
 * SECURITY.md: bombed, tired, or tapping until it works). The attacker's desktop pushes a sign-in to
 * the user's account; its number, one of N, is on the attacker's screen only. The user's phone does
 * not see that screen: its answers are guesses, sent by TAPS answers in flight at once, each tapping
 * ANSWERS times one after the other, every one a number typed without looking (no step of a tap
 * reads `number`). Meanwhile the attacker's desktop may cancel, and the clock runs.
 *
 * Here an approval is two steps, as in LoginFlows: `plan` reads the request and plans the approval
 * (or, for a wrong number, the denial) from what it read; `cas` is the store's compare-and-set, which
 * lands only if the request is still `scanned`; when it does not, the flow reads again and the plan
 * throws the error the winner's change implies. Answers interleave between the two steps. The clock
 * ticks between answers, not inside one (a read and its compare-and-set are microseconds apart).
 *
 * Checked: p4_one_guess (no path evaluates two answers) and p4_first_guess (an approval happens only
 * when the one evaluated answer was the number). -DWEAK_THREE_TRIES and -DWEAK_LOCKOUT_BEFORE_COUNT
 * must fail them.
 */
#define NREQ 1
#ifndef N
#define N 3
#endif
#define TAPS 3
#define ANSWERS 2
#ifndef MAXT
#define MAXT 6
#endif

#include "protocol.pml"

/* Nobody here sees a QR or a typed code: the request is a push. */
inline age_knowledge(r) { skip }
inline age_codes(r) { skip }

byte number;              /* the comparison number, on the attacker's screen only */
byte inflight;            /* answers between their read and their compare-and-set */
byte misses;              /* wrong answers counted (the weakened variants only) */
byte evaluated;           /* ghost: answers whose comparison took effect */
byte firstGuess;          /* ghost: the first of them */
bool calm;                /* simulations only: this episode, the desktop does not cancel */

/* What a plan decided, applied by the compare-and-set. */
#define P_APPROVE 1
#define P_DENY 2
#define P_MISS 3

/* planApprove on the request as read (the push's approver is ALICE, the tapping account). */
inline approve_plan(g, plan, res) {
  status_of(0, s_);
  if
  :: s_ != S_SCANNED -> wrong_status(s_, res)
  :: s_ == S_SCANNED && approver[0] != ALICE -> res = NOT_YOUR_REQUEST
  :: else -> skip;
#if defined(WEAK_LOCKOUT_BEFORE_COUNT)
     /* the lockout is a count read here, before this answer is counted */
     if
     :: misses >= 1 -> plan = P_DENY
     :: misses == 0 && g == number -> plan = P_APPROVE
     :: misses == 0 && g != number -> plan = P_MISS
     fi;
#elif defined(WEAK_THREE_TRIES)
     if
     :: g == number -> plan = P_APPROVE
     :: else -> plan = P_MISS
     fi;
#else
     /* the code: the approval or the wrong-number denial, from the same read */
     if
     :: g == number -> plan = P_APPROVE
     :: else -> plan = P_DENY
     fi;
#endif
     res = planned
  fi
}

#define EVALUATED(g) evaluated++; if :: evaluated == 1 -> firstGuess = g :: else -> skip fi

/* The compare-and-set (from `scanned`), or, when it does not land, the read and plan again. */
inline approve_cas(g, plan, res) {
  if
  :: st[0] == S_SCANNED ->
     if
     :: plan == P_APPROVE -> st[0] = S_APPROVED; left[0] = T_REDEMPTION; approvedBy[0] = ALICE; EVALUATED(g); res = ok
#if defined(WEAK_LOCKOUT_BEFORE_COUNT)
     :: plan == P_DENY -> st[0] = S_DENIED; left[0] = 0; res = WRONG_NUMBER
     :: plan == P_MISS -> misses++; EVALUATED(g); res = WRONG_NUMBER
#elif defined(WEAK_THREE_TRIES)
     :: plan == P_MISS ->
        misses++; EVALUATED(g);
        if
        :: misses >= 3 -> st[0] = S_DENIED; left[0] = 0
        :: else -> skip
        fi;
        res = WRONG_NUMBER
#else
     :: plan == P_DENY -> st[0] = S_DENIED; left[0] = 0; EVALUATED(g); res = WRONG_NUMBER
#endif
     fi
  :: else -> status_of(0, s_); wrong_status(s_, res)
  fi
}

/* One answer in flight from the user's phone: `ANSWERS` taps, each a guess. */
proctype Tap(byte i) {
  STEP_LOCALS;
  byte g, plan, sent;
  do
  :: sent < ANSWERS ->
     atomic {
       if
       :: g = 0
       :: g = 1
       :: g = 2
#if N > 3
       :: g = 3
#endif
       fi;
       inflight++;
       approve_plan(g, plan, res);
       printf("@S %d TAP plan r=0 tap=%d guess=%d -> %e\n", ticks, i, g, res);
       if
       :: res != planned -> inflight--; plan = 0; g = 0
       :: else -> skip
       fi;
       sent++
     };
     atomic {
       if
       :: plan != 0 ->
          res = 0; approve_cas(g, plan, res); inflight--;
          printf("@S %d TAP cas r=0 tap=%d -> %e\n", ticks, i, res)
       :: else -> skip
       fi;
       res = 0; s_ = 0; plan = 0; g = 0
     }
  :: sent == ANSWERS -> break
  od
}

proctype AttackerDesktop() {
  STEP_LOCALS;
  do
  :: atomic { !calm -> cancel(0, 1, res); printf("@S %d AD cancel r=0 secret=1 -> %e\n", ticks, res); res = 0; s_ = 0 }
#ifdef TRACES
  :: ticks >= MAXT -> break
#endif
  od
}

proctype Clock() {
  STEP_LOCALS;
  do
#ifdef TRACES
  :: atomic { inflight == 0 && ticks < MAXT -> tick(); printf("@S %d clock tick\n", ticks) }
  :: ticks >= MAXT -> break
#else
  :: atomic { inflight == 0 -> tick(); printf("@S %d clock tick\n", ticks) }
#endif
  od
}

inline start() {
  if
  :: number = 0
  :: number = 1
  :: number = 2
#if N > 3
  :: number = 3
#endif
  fi;
  relay = warn;
  create(0, 1, 0, ATK);
  printf("@B relay=%e upnet=%e calm=%d\n", relay, HOME, calm);
  printf("@S %d AD create r=0 push=1 key=0 number=%d -> ok\n", ticks, number);
  run Clock(); run AttackerDesktop();
  r_ = 0;
  do
  :: r_ < TAPS -> run Tap(r_); r_++
  :: else -> r_ = 0; break
  od
}

#ifdef TRACES
init {
  STEP_LOCALS;
  int episode = 0;
  printf("@L scanToken=%d scanTokenGrace=%d pending=%d decision=%d redemption=%d redemptionLease=%d hook=%d\n",
    T_SCAN_TOKEN, T_GRACE, T_PENDING, T_DECISION, T_REDEMPTION, T_LEASE, T_HOOK);
  do
  :: episode < TRACES ->
     atomic {
       ticks = 0; number = 0; if :: calm = 0 :: calm = 1 fi; inflight = 0; misses = 0; evaluated = 0; firstGuess = 0;
       made[0] = 0; st[0] = 0; left[0] = 0; codeLeft[0] = 0; prevCodeLeft[0] = 0; approvedBy[0] = NOBODY;
       start()
     };
     (_nr_pr == 1);
     atomic { status_of(0, s_); printf("@E r=0 status=%e approver=%e\n", s_, approver[0]) };
     printf("@Z\n");
     episode++
  :: else -> break
  od
}
#else
init {
  STEP_LOCALS;
  atomic { start() }
}

/* "A blind guesser at number matching", "Example 2: approve now, pick 42": however many answers the
 * phone sends, at once or one after another, at most one is ever compared with the number... */
ltl p4_one_guess { [] (evaluated <= 1) }

/* ...and the request is approved only if that one answer was the number: one chance in N. */
ltl p4_first_guess { [] (st[0] != S_APPROVED || (evaluated == 1 && firstGuess == number)) }

/* A witness, which must be violated: a blind guess does win, one time in N. */
ltl w_blind_guess_wins { [] (st[0] != S_APPROVED) }
#endif
