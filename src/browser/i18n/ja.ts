import type { Catalogue } from "./catalogue.ts";

/** Japanese, polite form (です・ます), with a space between Latin words and Japanese text. */
export const ja: Catalogue = {
  language: "日本語",

  "login.loadingQr": "ログインコードを取得しています…",
  "login.loadingPush": "スマートフォンにリクエストを送信しています…",
  "login.loadingPasskey": "パスキーの準備をしています…",
  "login.usePasskey": "代わりにパスキーを使う",
  "login.passkeySignIn": "パスキーでログイン",
  "login.passkeyHint":
    "ブラウザがパスキーを求めます。お使いのスマートフォンを選び、表示されたコードをスマートフォンでスキャンして、スマートフォンで確認してください。スマートフォンはこのコンピューターの近くにある必要があります。",
  "login.passkeyElsewhere": "スマートフォンが別のネットワークにあります",
  "login.passkeyElsewhereHint":
    "ここでログインするには、スマートフォンのパスキーを使ってください。スマートフォンがこのコンピューターの近くにある場合のみ使えます。",
  "login.passkeyWaiting": "パスキーを待っています…",
  "login.reconnecting": "接続が切れました。再接続しています…",
  "login.pending": "スマートフォンでスキャン",
  "login.pendingHint": "ログイン済みのスマートフォンでカメラを起動し、コードに向けてください。",
  "login.pendingHintApp": "スマートフォンで {app} アプリを開き、このコードをスキャンしてください。",
  "login.showCode": "カメラが使えない場合は、入力用のコードを表示",
  "login.typedIntro": "カメラが使えない場合は、スマートフォンで {url} を開いて次のコードを入力してください",
  "login.typedIntroApp": "カメラが使えない場合は、スマートフォンで {app} アプリを開いて次のコードを入力してください",
  "login.codeLabel": "コード {code}",
  "login.enterNumber": "スマートフォンで {number} と入力してください",
  "login.qrLoading": "QR コードを読み込んでいます",
  "login.qrLabel": "ログイン用の QR コード：スマートフォンのカメラでスキャンしてください",
  "login.scannedBy": "{who} がスキャンしました。スマートフォンで確認してください",
  "login.scannedByPhone": "スマートフォンでスキャンされました。スマートフォンで確認してください",
  "login.scannedHint": "スマートフォンで内容を確認し、「承認」をタップしてください。",
  "login.scannedNumberHint": "スマートフォンでこの数字の入力を求められます。入力するとログインできます。",
  "login.pushSent": "{who} のスマートフォンにリクエストを送信しました",
  "login.pushHint": "スマートフォンでログインページを開き、この数字を入力してください。",
  "login.pushHintApp": "スマートフォンで {app} アプリを開き、この数字を入力してください。",
  "login.approvedBy": "{who} のスマートフォンで承認されました",
  "login.approved": "スマートフォンで承認されました",
  "login.confirmHint": "ご自身のアカウントの場合のみ続行してください。このブラウザがそのアカウントにログインします。",
  "login.continueAs": "{who} として続行",
  "login.continue": "続行",
  "login.notYou": "ご本人でない場合はキャンセル",
  "login.cancelledHere": "キャンセルしました。誰もログインしていません。",
  "login.signingInAs": "{who} としてログインしています…",
  "login.signingIn": "承認されました。ログインしています…",
  "login.redeemFailed": "ログインを完了できませんでした",
  "login.signedIn": "ログインしました。",
  "login.deniedNotMe": "スマートフォンで「心当たりがない」と拒否されました。誰もログインしていません。",
  "login.deniedWrongNumber":
    "スマートフォンで入力された数字が一致しなかったため、このログインを中止しました。誰もログインしていません。",
  "login.denied": "スマートフォンでログインが拒否されました。",
  "login.expired": "このコードは有効期限が切れました。",
  "login.cancelled": "このログインはキャンセルされました。",
  "login.redeemed": "このコードはすでにログインに使用されています。",
  "login.tryAgain": "もう一度試す",
  "login.freshCode": "新しいコードを取得",
  "login.startAgain": "最初からやり直す",

  "page.title": "ログインの承認 — {site}",
  "page.heading": "ログインの承認",
  "page.signedInAs": "{name} でログイン中",
  "page.signInTitle": "まずこのスマートフォンでログインしてください",
  "page.signInText":
    "別のデバイスのログインを承認するには、このスマートフォンで {site} にログインしている必要があります。",
  "page.signIn": "ログイン",
  "page.startTitle": "別のデバイスでログイン",
  "page.startText": "パソコンでログインページを開いてください。QR コードと 8 文字のコードが表示されます。",
  "page.scan": "QR コードをスキャン",
  "page.cameraView": "カメラの映像",
  "page.stopCamera": "カメラを停止",
  "page.noCamera":
    "カメラは安全な（https の）ページでのみ使えます。代わりにコードを入力するか、スマートフォンのカメラアプリで QR コードをスキャンしてください。",
  "page.codeLabel": "または、画面に表示されたコードを入力",
  "page.continue": "次へ",
  "page.codeHelp": "BCDF-GHJK のような英字のみです。大文字でも小文字でもかまいません。",
  "page.busy": "しばらくお待ちください…",
  "page.again": "別のデバイスでログイン",
  "page.appName": "ログインの承認 — {site}",
  "page.appShortName": "ログイン承認",
  "page.signInFirst": "まずこのスマートフォンでログインしてから、もう一度コードをスキャンしてください。",
  "page.checking": "コードを確認しています…",
  "page.checkPasskey": "リクエスト元を確認してください。このスマートフォンからは承認できず、拒否のみできます。",
  "page.check": "リクエスト元を確認してから、承認または拒否してください。",
  "page.checkNumber": "リクエスト元を確認してから、もう一方の画面に表示された数字を入力してください。",
  "page.pushWaiting": "ログインリクエストが届いています。もう一方の画面に表示された数字を入力してください。",
  "page.pushGone": "そのログインリクエストは終了しました。",
  "page.several": {
    other: "{count} 件のログインリクエストが届いています。画面に表示された数字と一致するものだけを承認してください。",
  },
  "page.pointCamera": "もう一方の画面の QR コードにカメラを向けてください。",
  "page.cameraBlocked":
    "このページではカメラがブロックされています。ブラウザの設定で許可するか、下にコードを入力してください。",
  "page.cameraFailed": "カメラを起動できませんでした。代わりに下にコードを入力してください。",
  "page.alertNewDevice": "新しいデバイスがあなたのアカウントにログインしました。",
  "page.alertNotMe": "心当たりのないログインを報告しました。",
  "page.alertWrongNumber": "間違った数字が入力されたため、ログインを中止しました。",
  "page.alertOther": "アカウントで動きがありました。",
  "page.alertsEarlier": { other: "以前の通知 {count} 件" },
  "page.dismiss": "閉じる",

  "card.titleQr": "別のデバイスでログインしますか？",
  "card.titlePush": "ログインしようとしているのはご本人ですか？",
  "card.site": "誰かがあなたのアカウントで {origin} にログインしようとしています。",
  "card.thisSite": "このサイト",
  "card.warningAdvice":
    "今そのデバイスの前にいない場合は、誰かがあなたのアカウントに侵入しようとしている可能性があります。「心当たりがない」をタップしてください。",
  "card.warnNetwork": "リクエスト元のパソコンは、このスマートフォンとは別のネットワークにあります。",
  "card.warnCountry": "リクエスト元のパソコンは別の国にあるようです：{place}",
  "card.device": "デバイス",
  "card.deviceClaimed": "ブラウザの自己申告による情報",
  "card.deviceValue": "{os} 上の {browser}（{device}）",
  "card.ip": "IP アドレス",
  "card.location": "場所",
  "card.network": "ネットワーク",
  "card.clientAsking": "{name}（「{scope}」を要求）",
  "card.clientKnown": "このサイトが把握しているアプリ",
  "card.clientSelfNamed": "アプリ自身による名前",
  "card.networkSame": "このスマートフォンと同じ",
  "card.networkDifferent": "このスマートフォンとは異なる",
  "card.requested": "リクエスト時刻",
  "card.justNow": "たった今",
  "card.unknown": "不明",
  "card.note": "そのデバイスの前にいて、たった今ログインしようとした場合のみ承認してください。",
  "card.deny": "拒否",
  "card.approve": "承認",
  "card.notMe": "心当たりがない",
  "card.numberLabel": "{onDevice}表示されている数字を入力",
  "card.numberMissing": "{onDevice}表示されている 2 桁の数字を入力してください。",
  "card.passkeyRequired": "承認するには、このスマートフォンのパスキー（指紋、顔、または PIN）で確認します。",
  "card.passkeyElsewhere":
    "リクエスト元のデバイスは別のネットワークにあるため、このスマートフォンからは承認できません。ご自身のデバイスであれば、そのデバイスで「パスキーでログイン」を選び、このスマートフォンのパスキーを使ってください。スマートフォンがそのデバイスの近くにある場合のみ使えます。",
  "card.approvedDone": "承認しました。もう一方のデバイスがログインしています。",
  "card.deniedDone": "拒否しました。誰もログインしていません。",
  "card.blockedQr":
    "ブロックしました。誰もログインしていません。誰かからこのコードが送られてきた場合は、他人のコードをスキャンしないでください。",
  "card.blockedPush":
    "ブロックしました。誰もログインしておらず、このスマートフォンへのリクエストはしばらく停止されます。",

  "device.desktop": "パソコン",
  "device.mobile": "スマートフォン",
  "device.tablet": "タブレット",
  "device.tv": "テレビ",
  "device.unknown": "デバイス",
  "onDevice.desktop": "パソコンに",
  "onDevice.mobile": "スマートフォンに",
  "onDevice.tablet": "タブレットに",
  "onDevice.tv": "テレビに",
  "onDevice.unknown": "もう一方の画面に",

  "error.invalid_request": "リクエストに問題がありました。コードを確認して、もう一度お試しください。",
  "error.authorization_pending": "スマートフォンでの承認を待っています。",
  "error.slow_down": "短時間に試行が多すぎます。数秒待ってから、もう一度お試しください。",
  "error.access_denied": "このログインは拒否されたため、誰もログインしていません。",
  "error.expired_token":
    "このコードは有効期限が切れています。もう一方の画面で新しいコードを取得して、もう一度お試しください。",
  "error.invalid_client": "このデバイスはここにログインできません。",
  "error.invalid_grant": "このデバイスのログインコードは無効です。デバイスで最初からやり直してください。",
  "error.unsupported_grant_type": "このデバイスは、このサイトが対応していない方法でログインしようとしました。",
  "error.BODY_TOO_LARGE": "送信するデータが多すぎます。ページを再読み込みして、もう一度お試しください。",
  "error.UNSUPPORTED_MEDIA_TYPE":
    "このページがサーバーの理解できないデータを送信しました。ページを再読み込みして、もう一度お試しください。",
  "error.NOT_FOUND": "このページは古くなっています。再読み込みして、もう一度お試しください。",
  "error.METHOD_NOT_ALLOWED": "このページは古くなっています。再読み込みして、もう一度お試しください。",
  "error.BAD_ORIGIN": "このリクエストは別のウェブサイトから送られたため、安全のために拒否されました。",
  "error.BROWSER_SECRET_REQUIRED": "このブラウザはログインコードの情報を失いました。新しいコードを取得してください。",
  "error.BROWSER_SECRET_INVALID":
    "このログインコードは別のブラウザウィンドウのものです。ここで新しいコードを取得してください。",
  "error.APPROVER_UNAUTHENTICATED": "ログインを承認するには、このスマートフォンでログインしている必要があります。",
  "error.REQUEST_NOT_FOUND":
    "このログインはもう存在しません。有効期限が切れた可能性があります。もう一方の画面で新しいコードを取得してください。",
  "error.SCAN_TOKEN_INVALID":
    "この QR コードはもう無効です。コードは数秒ごとに変わります。画面のコードをもう一度スキャンしてください。",
  "error.USER_CODE_INVALID":
    "そのコードに一致するログインはありません。もう一方の画面の文字を確認して、もう一度お試しください。",
  "error.ALREADY_CLAIMED":
    "このコードは別のスマートフォンですでにスキャンされています。心当たりがない場合は、新しいコードを取得してください。",
  "error.NOT_YOUR_REQUEST": "このログインは別のアカウントのスマートフォンから開始されたため、応答できません。",
  "error.NOT_SCANNED":
    "このログインはまだスキャンされていません。先に QR コードをスキャンするか、コードを入力してください。",
  "error.ALREADY_DECIDED": "このログインにはすでに応答済みです。",
  "error.ALREADY_REDEEMED": "このログインはすでに使用されています。",
  "error.REDEMPTION_IN_PROGRESS":
    "このログインは別のウィンドウで完了処理中です。少し待ってから、もう一度お試しください。",
  "error.CANCELLED": "もう一方の画面でログインがキャンセルされました。",
  "error.WRONG_NUMBER":
    "数字がもう一方の画面のものと一致しなかったため、安全のためにこのログインを中止しました。ご自身で開始したものでない場合は、誰かがあなたのアカウントに侵入しようとしている可能性があります。",
  "error.NETWORK_MISMATCH":
    "このログインはこのスマートフォンとは別のネットワークで開始されたため、安全のために拒否されました。目の前の画面で開始したログインだけを承認してください。",
  "error.BROWSER_KEY_REQUIRED":
    "このブラウザがリクエスト元であることを証明できませんでした。新しいコードを取得してください。",
  "error.BROWSER_KEY_INVALID":
    "このブラウザがリクエスト元であることを証明できませんでした。新しいコードを取得してください。",
  "error.PUSH_DISABLED":
    "このサイトでは、スマートフォンへのログインリクエストが有効になっていません。代わりに QR コードをスキャンしてください。",
  "error.RATE_LIMITED": "試行回数が多すぎます。1 分待ってから、もう一度お試しください。",
  "error.TOO_MANY_STREAMS": "サーバーが混み合っています。このページは接続を試み続けます。",
  "error.SESSION_FAILED":
    "ログインは承認されましたが、サイトがセッションを開始できませんでした。もう一度お試しください。",
  "error.ADDRESS_REQUIRED":
    "このサイトはまだこの方法でのログインに対応していません。サイトの運営者にお知らせください。",
  "error.INTERNAL_ERROR": "サーバーで問題が発生しました。しばらくしてから、もう一度お試しください。",
  "error.PASSKEY_DISABLED":
    "このログインではパスキーによるログインを利用できません。代わりに QR コードをスキャンしてください。",
  "error.PASSKEY_REQUIRED":
    "このサイトでは承認の前にパスキーでの確認が必要ですが、このアカウントにはこのスマートフォンのパスキーがありません。先にアカウントにパスキーを追加してください。",
  "error.PASSKEY_INVALID": "パスキーの応答を確認できなかったため、何も承認されていません。もう一度お試しください。",
  "error.PASSKEY_CHALLENGE_MISMATCH":
    "パスキーが別のログインに対して応答したため、何も承認されていません。目の前の画面からやり直してください。",
  "error.PASSKEY_USER_NOT_VERIFIED":
    "パスキーがご本人であること（指紋、顔、または PIN）を確認しなかったため、何も承認されていません。ロックを解除してもう一度お試しください。",
  "error.PASSKEY_REPLAYED":
    "そのパスキーの応答はすでに使用済みのため、拒否されました。新しい応答のためにもう一度お試しください。",
  "error.PASSKEY_UNKNOWN_CREDENTIAL":
    "そのパスキーはこのログインのアカウントのものではないため、何も承認されていません。ご自身のパスキーを使ってください。",
  "error.PASSKEY_SIGN_IN_REQUIRED":
    "リクエスト元のデバイスは別のネットワークにあるため、ここからは承認できません。そのデバイスで「パスキーでログイン」を選び、このスマートフォンのパスキーを使ってください。スマートフォンが近くにある場合のみ使えます。",
  "error.PASSKEY_CANCELLED":
    "パスキーの確認が閉じられたか時間切れになったため、何も承認されていません。もう一度お試しください。",
  "error.CARD_CHANGED":
    "サーバーがパスキーに確認を求めた内容が、ここに表示されているログインと一致しないため、何も送信していません。もう一度コードをスキャンしてください。",
  "error.NETWORK_ERROR": "サーバーに接続できません。接続を確認して、もう一度お試しください。",
  "error.QR_FOREIGN_ORIGIN":
    "この QR コードは別のウェブサイトを指しているため、開きませんでした。このサイトが表示したコードだけをスキャンしてください。",
  "error.QR_NOT_A_SIGN_IN_CODE": "この QR コードは、このサイトのログインコードではありません。",
  "error.BAD_RESPONSE":
    "サーバーから、このページが理解できない応答がありました。再読み込みして、もう一度お試しください。",
};
