/*
 * The end of the sign-in and relay models: the start (every relay policy, the user's phone at home or
 * on mobile data), the episodes of a random simulation (-DTRACES=n), and the properties.
 */
#ifdef TRACES
/* Random simulation: TRACES episodes, each printed from @B to @Z, then replayed against the code. */
inline reset_world() {
  ticks = 0; upNet = HOME; phishTok = 0; phishCode = 0; perPhish = 0; genPhish = 0; inbox = 0; genInbox = 0; stolen = 0;
  if :: calm = 0 :: calm = 1 fi;
  r_ = 0;
  do
  :: r_ < NREQ ->
     made[r_] = 0; push[r_] = 0; st[r_] = 0; left[r_] = 0; codeGen[r_] = 0; codeLeft[r_] = 0; prevCodeLeft[r_] = 0;
     hasNum[r_] = 0; hasKey[r_] = 0; lease[r_] = 0; reqNet[r_] = HOME; approver[r_] = NOBODY;
     claimer[r_] = NOBODY; approvedBy[r_] = NOBODY; sessions[r_] = 0; sessionTo[r_] = NOBODY; sessionAcct[r_] = NOBODY; dead[r_] = 0;
     tokA[r_] = 0; codeA[r_] = 0; perA[r_] = 0; genA[r_] = 0; tokM[r_] = 0; codeM[r_] = 0; perM[r_] = 0; genM[r_] = 0;
     screen[r_] = 0; genScreen[r_] = 0; r_++
  :: else -> break
  od;
  do
  :: r_ < 4 -> hookLeft[r_] = 0; r_++
  :: else -> r_ = 0; break
  od
}

init {
  STEP_LOCALS;
  int episode = 0;
  printf("@L scanToken=%d scanTokenGrace=%d pending=%d decision=%d redemption=%d redemptionLease=%d hook=%d\n",
    T_SCAN_TOKEN, T_GRACE, T_PENDING, T_DECISION, T_REDEMPTION, T_LEASE, T_HOOK);
  do
  :: episode < TRACES ->
     atomic {
       reset_world();
       if :: relay = allow :: relay = warn :: relay = require_number :: relay = refuse fi;
       if :: upNet = HOME :: upNet = MOBILE fi;
       printf("@B relay=%e upnet=%e calm=%d\n", relay, upNet, calm);
       start_actors()
     };
     (_nr_pr == 1);
     atomic {
       r_ = 0;
       do
       :: r_ < NREQ ->
          if
          :: made[r_] -> status_of(r_, s_); printf("@E r=%d status=%e approver=%e\n", r_, s_, approver[r_])
          :: else -> skip
          fi;
          r_++
       :: else -> break
       od
     };
     printf("@Z\n");
     episode++
  :: else -> break
  od
}
#else
init {
  atomic {
    if :: relay = allow :: relay = warn :: relay = require_number :: relay = refuse fi;
    if :: upNet = HOME :: upNet = MOBILE fi;
    printf("@B relay=%e upnet=%e calm=%d\n", relay, upNet, calm);
    start_actors()
  }
}

/*
 * The properties, each against a threat of SECURITY.md. R0's browser secret is held by UD, and by AD
 * once stolen; its browser key by UD alone. R1's secret and key are AD's.
 */

/* "Someone photographs the QR and redeems", "Browser secret stolen from the desktop": a session for a
 * request goes only to a desktop holding its browser secret, and its browser key when it has one. */
#define P1_SECRET ((sessions[0] == 0 || sessionTo[0] == UD || (sessionTo[0] == AD && stolen && !hasKey[0])) && \
                   (sessions[1] == 0 || sessionTo[1] == AD))
ltl p1_secret { [] P1_SECRET }

/* "Approving the wrong request" (example 1), "Login CSRF": a session only after the approval of the
 * account whose phone claimed the request (or that a push named), and for that account. */
#define P1_APPROVAL(r) (sessions[r] == 0 || (claimer[r] != NOBODY && approvedBy[r] == claimer[r] && sessionAcct[r] == claimer[r]))
ltl p1_approval { [] (P1_APPROVAL(0) && P1_APPROVAL(1)) }

/* "Replay of any message", "A host hook that fails": at most one session per request, whatever the
 * interleaving of redemptions, hook failures, crashes and lease takeovers. */
ltl p2_once { [] (sessions[0] <= 1 && sessions[1] <= 1) }

/* "QR relayed from an attacker's browser (QRLJacking)", "Example 2: a phishing page or e-mail says
 * approve now": the attacker's desktop is signed in to the user's account only if the user approved on
 * a card showing the attacker's network, and never under relayPolicy "refuse". (The one other way in is
 * the stolen browser secret of a request made without a browser key, the threat that key answers.) */
#define P3_RELAY(r) (!(sessions[r] > 0 && sessionTo[r] == AD && sessionAcct[r] == ALICE) || \
                     (approvedBy[r] == ALICE && reqNet[r] == ATK && relay != refuse) || \
                     (r == 0 && stolen && !hasKey[0]))
ltl p3_relay { [] (P3_RELAY(0) && P3_RELAY(1)) }

/* "A typed code read from an e-mail", "Replay of any message": a request seen expired or cancelled is
 * never redeemed. */
ltl p5_dead { [] (!(dead[0] && st[0] == S_REDEEMED) && !(dead[1] && st[1] == S_REDEEMED)) }

/*
 * Witnesses: claims that must be violated, so that the properties above cannot hold for want of a
 * path. SPIN's counterexample to each is the shortest run that does what it names.
 */
/* The user's desktop signs in to her account (signin.pml). */
ltl w_user_signs_in { [] !(sessions[0] > 0 && sessionTo[0] == UD && sessionAcct[0] == ALICE) }
/* The attacker's desktop signs in to her account: she approved his request, on a card showing his
 * network, under a policy other than "refuse" (relay.pml): the risk p3_relay bounds. */
ltl w_relay_approved { [] !(sessions[1] > 0 && sessionTo[1] == AD && sessionAcct[1] == ALICE) }
#endif
