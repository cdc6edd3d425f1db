/*
 * qrlogin's protocol in Promela: the request record, its states, and every step of LoginFlows
 * (src/service/login-flows.ts) with the plans of src/core/transitions.ts, check for check and in the
 * code's order, so that each step ends with the outcome the code gives: `ok`, `none` (nothing to do)
 * or the code of the QrLoginError the code throws. The models (signin.pml, relay.pml, number.pml)
 * include this file and add the actors and the properties; docs/model.md explains what is modelled
 * and what is abstracted away.
 *
 * Time: every deadline is kept as the ticks left until it (0 once it has passed), and the clock's tick
 * counts them all down, so that states reached at different times but with the same deadlines ahead
 * are one state. `expiresAt <= now` is `left == 0`. The replay runs one tick as TICK_MS of its clock.
 *
 * Secrets are values only their holders know. Scan tokens are derived, not stored: the token of
 * period p (from createdAt + p·T_SCAN_TOKEN on) works from T_GRACE before its period until T_GRACE
 * after it (scanPeriodWorks), so a phone that saw one knows it as the ticks until it stops working
 * (TOK_*); the server keeps nothing of it, and the period changes with the clock's tick. A typed code
 * exists only once the desktop asked to show one (showUserCode); each new code replaces the previous,
 * and a phone knows the current one (K_CUR), the previous one in its grace window (K_PREV), or one
 * that no longer works (K_DEAD: past its end, or older, which the store no longer finds). A desktop
 * redeems with the browser secret and the browser key it holds.
 *
 * Weakened variants, each one switch (`spin -DWEAK_...`), for the checks that must fail:
 *   WEAK_APPROVE_UNCLAIMED     approval by request id: no claim needed, any account may approve
 *   WEAK_NO_BROWSER_SECRET     redemption without the browser secret
 *   WEAK_NO_LEASE              redemption calls the hook first and consumes the approval after
 *   WEAK_TTL_EXPIRY            expiry left to a sweeper (a store TTL) instead of computed from deadlines
 *   WEAK_REFUSE_QR_ONLY        relayPolicy "refuse" applied to scans and typed codes, not to push approvals
 *   WEAK_THREE_TRIES           number matching with three tries, for three choices (number.pml)
 *   WEAK_LOCKOUT_BEFORE_COUNT  one try, but the lockout read before the answer is counted (number.pml)
 *
 * And one switch that is no weakening but the code as it is, with a notifier whose publish may stall:
 *   SLOW_NOTIFIER              LoginFlows publishes a lease before it calls the hook (world.pml)
 */

/* Lifetimes, in ticks: scanToken, scanTokenGrace, pending, decision, redemption, redemptionLease. */
#define T_SCAN_TOKEN 2
#define T_GRACE 1
#define T_PENDING 5
#define T_DECISION 2
#define T_REDEMPTION 2
#define T_LEASE 2
/* hookTimeoutMs, which createQrLogin requires to be shorter than the lease. */
#define T_HOOK 1

/* What a phone knows of a request's typed code: none, the current, the previous, a dead one. */
#define K_NONE 0
#define K_CUR 1
#define K_PREV 2
#define K_DEAD 3

/* What a party knows of a request's scan token: TOK_NONE, or 1 + the ticks until it stops working
 * (TOK_DEAD once it has). Every token anyone saw is of a period that has begun, so its early grace
 * never matters here. */
#define TOK_NONE 0
#define TOK_DEAD 1
#define TOK_WORKS(k) (k > TOK_DEAD)

mtype = {
  /* accounts */
  NOBODY, ALICE, MALLORY,
  /* actors: desktops (who receives a session), phones, and the rest */
  UD, AD, UP, AP, PH, TAP,
  /* networks (IPv4 /24s in the replay) */
  HOME, MOBILE, ATK,
  /* stored states; S_EXPIRED is computed (stored only under WEAK_TTL_EXPIRY) */
  S_PENDING, S_SCANNED, S_APPROVED, S_REDEEMING, S_DENIED, S_REDEEMED, S_CANCELLED, S_EXPIRED,
  /* relay policies */
  allow, warn, require_number, refuse,
  /* what a phone types as the number */
  n_none, n_right, n_wrong,
  /* outcomes: accepted, nothing to do, planned (number.pml), a redemption's result answered again, and
     the code's error codes */
  ok, none, planned, replayed,
  expired_token, CANCELLED, access_denied, ALREADY_REDEEMED, NOT_SCANNED, authorization_pending,
  ALREADY_DECIDED, REDEMPTION_IN_PROGRESS, ALREADY_CLAIMED, NOT_YOUR_REQUEST, WRONG_NUMBER,
  NETWORK_MISMATCH, USER_CODE_INVALID, BROWSER_SECRET_INVALID, BROWSER_KEY_REQUIRED, SESSION_FAILED,
  slow_down
};

mtype relay;              /* the deployment's relayPolicy */

/* The stored requests (LoginRequest), by index. */
bool made[NREQ];          /* created yet */
bool push[NREQ];          /* mode "push" (else "qr") */
mtype st[NREQ];           /* state */
byte left[NREQ];          /* ticks until expiresAt; in S_REDEEMING, until expiresAt + redemption,
                             the end of the window in which an ended lease may be taken over; in
                             S_REDEEMED, until updatedAt + redemption, the end of the window in which
                             the sealed result is answered again */
byte codeLeft[NREQ];      /* ticks until the current typed code stops working (userCodeIssuedAt +
                             scanToken + scanTokenGrace); 0 when none was shown */
byte prevCodeLeft[NREQ];  /* ticks until the previous one stops (previousUserCodeValidUntil) */
bool hasNum[NREQ];        /* comparison !== null */
mtype approver[NREQ] = NOBODY;   /* approverId */
bool hasKey[NREQ];        /* publicKey !== null */
byte lease[NREQ];         /* the redemption holding the lease (stands for the version it got) */
mtype reqNet[NREQ];       /* requester.ip's network */
byte hookLeft[4];         /* per redemption: ticks until its hook times out */

/* Ghost state for the properties; no step reads it. */
mtype claimer[NREQ] = NOBODY;     /* the account whose phone claimed it (scan, code), or a push named */
mtype approvedBy[NREQ] = NOBODY;  /* the account whose approval landed */
byte sessions[NREQ];              /* sessions issued for it */
mtype sessionTo[NREQ] = NOBODY;   /* the desktop that received the last one (or it again) */
mtype sessionAcct[NREQ] = NOBODY; /* its account */
bool dead[NREQ];                  /* seen expired or cancelled */

/* For the printed steps only, `hidden`, out of every state (no step reads them, so states reached at
 * different times stay one): the tick, and how many codes each request has shown. */
hidden byte ticks;
hidden byte codeGen[NREQ];

/* The scratch variables every actor that takes steps declares. */
#define STEP_LOCALS mtype res; mtype s_; byte r_

#define LIVE(r) (st[r] == S_PENDING || st[r] == S_SCANNED || st[r] == S_APPROVED)

/* statusOf(request, now) */
inline status_of(r, s) {
  s = st[r];
#ifndef WEAK_TTL_EXPIRY
  if
  :: LIVE(r) && left[r] == 0 -> s = S_EXPIRED
  :: else -> skip
  fi
#endif
}

/* wrongStatus(status, action) */
inline wrong_status(s, e) {
  if
  :: s == S_EXPIRED -> e = expired_token
  :: s == S_CANCELLED -> e = CANCELLED
  :: s == S_DENIED -> e = access_denied
  :: s == S_REDEEMED -> e = ALREADY_REDEEMED
  :: s == S_PENDING -> e = NOT_SCANNED
  :: s == S_SCANNED -> e = authorization_pending
  :: s == S_APPROVED -> e = ALREADY_DECIDED
  :: s == S_REDEEMING -> e = REDEMPTION_IN_PROGRESS
  fi
}

#define DOWN(x) if :: x > 0 -> x-- :: else -> skip fi

/*
 * The scan-token period of a pending QR request, from its deadline: it was made T_PENDING ticks
 * before it, and its period p runs from p·T_SCAN_TOKEN ticks after that (a period boundary is a
 * tick of the clock). Meaningful while it waits (SHOWS_QR).
 */
#define PERIOD(r) ((T_PENDING - left[r]) / T_SCAN_TOKEN)
#define PERIOD_LEFT(r) (T_SCAN_TOKEN - (T_PENDING - left[r]) % T_SCAN_TOKEN)
/* The current period's token, as TOK_*: it works until T_GRACE after its period ends. */
#define TOK_SHOWN(r) (TOK_DEAD + PERIOD_LEFT(r) + T_GRACE)

/* One tick of the clock: every deadline comes one tick closer, and so does every token and code a
 * party holds (`age_knowledge`, from the model); requests now expired are marked. */
inline tick() {
  ticks++;
  r_ = 0;
  do
  :: r_ < NREQ ->
     DOWN(left[r_]); DOWN(codeLeft[r_]); DOWN(prevCodeLeft[r_]); age_knowledge(r_);
     if
     :: made[r_] && LIVE(r_) && left[r_] == 0 -> dead[r_] = 1
     :: else -> skip
     fi;
     r_++
  :: else -> break
  od;
  r_ = 0;
  do
  :: r_ < 4 -> DOWN(hookLeft[r_]); r_++
  :: else -> r_ = 0; break
  od
}

/* createLoginRequest / createPushRequest (the models push to ALICE). */
inline create(r, isPush, key, net) {
  made[r] = 1; push[r] = isPush; hasKey[r] = key; reqNet[r] = net; lease[r] = 0;
  left[r] = T_PENDING; codeLeft[r] = 0; prevCodeLeft[r] = 0;
  if
  :: isPush -> st[r] = S_SCANNED; approver[r] = ALICE; hasNum[r] = 1; claimer[r] = ALICE
  :: else -> st[r] = S_PENDING; approver[r] = NOBODY; hasNum[r] = 0
  fi
}

/*
 * showUserCode and planUserCode: the desktop, authenticated by its browser secret, asks for a typed
 * code; one a second at most (a tick: the replay's tick is SHOW_CODE_EVERY_MS), else slow_down. A new
 * code for a pending request; the one it replaces works until min(now + grace, its own end). Every
 * holder's knowledge of the request's codes ages by one (`age_codes`, from the model). (Only a QR
 * request is ever pending here, so the code's check of the mode never fails.)
 */
inline show_code(r, secret, res) {
  if
  :: !secret -> res = BROWSER_SECRET_INVALID
  :: secret && codeLeft[r] == T_SCAN_TOKEN + T_GRACE -> res = slow_down
  :: else ->
     status_of(r, s_);
     if
     :: s_ != S_PENDING -> wrong_status(s_, res)
     :: else ->
        if
        :: codeLeft[r] < T_GRACE -> prevCodeLeft[r] = codeLeft[r]
        :: else -> prevCodeLeft[r] = T_GRACE
        fi;
        codeLeft[r] = T_SCAN_TOKEN + T_GRACE;
        age_codes(r);
#ifdef TRACES
        codeGen[r]++;
#endif
        res = ok
     fi
  fi
}

/* userCodeWorks; the store finds a request by its current or previous code only. */
#define CODE_WORKS(r, k) ((k == K_CUR && codeLeft[r] > 0) || (k == K_PREV && prevCodeLeft[r] > 0))
/* What a party knows of a code, one step older: a new code was shown (CODE_NEWER), or a tick passed
 * (CODE_TICK). A code that no longer works is K_DEAD, whichever it was: they all fail alike. */
#define CODE_NEWER(r, k) \
  if \
  :: k == K_CUR && prevCodeLeft[r] > 0 -> k = K_PREV \
  :: (k == K_CUR && prevCodeLeft[r] == 0) || k == K_PREV -> k = K_DEAD \
  :: else -> skip \
  fi
#define CODE_TICK(r, k) if :: (k == K_CUR || k == K_PREV) && !CODE_WORKS(r, k) -> k = K_DEAD :: else -> skip fi

/* #claim: the relay policy, then planScan. */
inline claim(r, who, net, res) {
  if
  :: reqNet[r] != net && relay == refuse && st[r] == S_PENDING -> res = NETWORK_MISMATCH
  :: else ->
     status_of(r, s_);
     if
     :: s_ == S_SCANNED || s_ == S_APPROVED -> res = ALREADY_CLAIMED
     :: s_ == S_PENDING ->
        st[r] = S_SCANNED; approver[r] = who; left[r] = T_DECISION;
        hasNum[r] = (reqNet[r] != net && relay == require_number);
        claimer[r] = who; res = ok
     :: else -> wrong_status(s_, res)
     fi
  fi
}

/* scanToken: a token someone saw is genuine, so its MAC holds and its request is found; a stale one
 * is refused while the request is pending (scanPeriodWorks); then the claim. */
inline scan_token(r, k, who, net, res) {
  if
  :: st[r] == S_PENDING && !TOK_WORKS(k) -> res = expired_token
  :: else -> skip; claim(r, who, net, res)
  fi
}

/* scanUserCode (rate limits are not modelled): look the code up, claim. */
inline scan_code(r, k, who, net, res) {
  if
  :: !CODE_WORKS(r, k) -> res = USER_CODE_INVALID
  :: else -> skip; claim(r, who, net, res)
  fi
}

/*
 * approve and planApprove, in one step (the store's compare-and-set applies the plan made from the
 * read; number.pml splits the two, since its races are about answers sent at once). `num` is what
 * the phone typed: nothing, the number on the requesting screen, or another.
 */
inline approve(r, who, net, num, res) {
  if
#ifndef WEAK_REFUSE_QR_ONLY
  :: push[r] && relay == refuse && reqNet[r] != net -> res = NETWORK_MISMATCH
#endif
  :: else ->
     status_of(r, s_);
     if
#ifdef WEAK_APPROVE_UNCLAIMED
     :: s_ != S_SCANNED && s_ != S_PENDING -> wrong_status(s_, res)
     :: else -> skip;
        if
        :: approver[r] == NOBODY -> approver[r] = who
        :: else -> skip
        fi;
#else
     :: s_ != S_SCANNED -> wrong_status(s_, res)
     :: s_ == S_SCANNED && approver[r] != who -> res = NOT_YOUR_REQUEST
     :: else -> skip;
#endif
        if
        :: hasNum[r] && num != n_right -> st[r] = S_DENIED; left[r] = 0; res = WRONG_NUMBER
        :: else -> st[r] = S_APPROVED; left[r] = T_REDEMPTION; approvedBy[r] = who; res = ok
        fi
     fi
  fi
}

/* deny and planDeny */
inline deny(r, who, res) {
  status_of(r, s_);
  if
  :: s_ != S_SCANNED -> wrong_status(s_, res)
  :: s_ == S_SCANNED && approver[r] != who -> res = NOT_YOUR_REQUEST
  :: else -> st[r] = S_DENIED; left[r] = 0; res = ok
  fi
}

/* cancel: authenticateBrowser, then planCancel. */
inline cancel(r, secret, res) {
  if
  :: !secret -> res = BROWSER_SECRET_INVALID
  :: else ->
     status_of(r, s_);
     if
     :: s_ == S_PENDING || s_ == S_SCANNED || s_ == S_APPROVED ->
        st[r] = S_CANCELLED; left[r] = 0; dead[r] = 1; res = ok
     :: else -> wrong_status(s_, res)
     fi
  fi
}

#ifdef WEAK_NO_BROWSER_SECRET
#define SECRET_CHECKED(secret) 1
#else
#define SECRET_CHECKED(secret) (secret)
#endif

/*
 * redeem, first part: authenticateBrowser, checkBrowserKeyProof, the sealed result answered again
 * (replayableRedemption: the same session, no hook), planRedeemStart (the lease, or its takeover once
 * it ended). `me` names this redemption; `secret` and `key` say what its desktop holds.
 */
inline redeem_start(r, me, secret, key, res) {
  if
  :: !SECRET_CHECKED(secret) -> res = BROWSER_SECRET_INVALID
  :: SECRET_CHECKED(secret) && hasKey[r] && !key -> res = BROWSER_KEY_REQUIRED
  :: else -> skip;
#ifdef WEAK_NO_LEASE
     /* check the approval, call the hook, consume after */
     status_of(r, s_);
     if
     :: s_ != S_APPROVED -> wrong_status(s_, res)
     :: else -> hookLeft[me] = T_HOOK; res = ok
     fi
#else
     if
     :: st[r] == S_REDEEMED && left[r] > 0 -> res = replayed
     :: st[r] == S_REDEEMING && left[r] > T_REDEMPTION -> res = REDEMPTION_IN_PROGRESS
     :: st[r] == S_REDEEMING && left[r] == 0 -> res = expired_token
     :: st[r] == S_REDEEMING && left[r] > 0 && left[r] <= T_REDEMPTION ->
        left[r] = T_LEASE + T_REDEMPTION; lease[r] = me; hookLeft[me] = T_HOOK; res = ok
     :: else ->
        status_of(r, s_);
        if
        :: s_ != S_APPROVED -> wrong_status(s_, res)
        :: else -> st[r] = S_REDEEMING; left[r] = T_LEASE + T_REDEMPTION; lease[r] = me; hookLeft[me] = T_HOOK; res = ok
        fi
     fi
#endif
  fi
}

/*
 * The host's issueSession returned in time: the desktop gets its session, then planRedeemFinish, which
 * writes it sealed for the browser secret, answered again for `redemption` ticks.
 */
inline hook_ok(r, me, who, res) {
  sessions[r]++; sessionTo[r] = who; sessionAcct[r] = approver[r]; hookLeft[me] = 0;
#ifdef WEAK_NO_LEASE
  if
  :: st[r] == S_APPROVED -> st[r] = S_REDEEMED; left[r] = 0
  :: else -> skip
  fi;
#else
  if
  :: st[r] == S_REDEEMING && lease[r] == me -> st[r] = S_REDEEMED; left[r] = T_REDEMPTION; lease[r] = 0
  :: else -> skip   /* it outlived its lease: the code still returns the session */
  fi;
#endif
  res = ok
}

/* issueSession threw or timed out: planRedeemRelease gives the approval back for another try. */
inline hook_fail(r, me, res) {
  hookLeft[me] = 0;
#ifndef WEAK_NO_LEASE
  if
  :: st[r] == S_REDEEMING && lease[r] == me -> st[r] = S_APPROVED; left[r] = T_REDEMPTION; lease[r] = 0
  :: else -> skip
  fi;
#endif
  res = SESSION_FAILED
}

/* Its process died while the hook ran: nothing more happens for this redemption. */
inline hook_crash(me) {
  hookLeft[me] = 0
}
