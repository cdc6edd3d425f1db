import type { ApproverAlert } from "../approver.ts";
import type { MessageKey } from "../i18n/catalogue.ts";
import type { Translator } from "../i18n/translator.ts";

const ALERT_WORDS: Record<ApproverAlert["reason"], MessageKey> = {
  new_device: "page.alertNewDevice",
  not_me: "page.alertNotMe",
  wrong_number: "page.alertWrongNumber",
};

/**
 * The account's alerts as one line in `container`: the newest, with the earlier ones folded
 * under "2 earlier alerts", and one button that dismisses them all. However many arrive, the
 * person's task below moves by a line or two, not by a stack of notices.
 * @example const addAlert = alertLine(document.getElementById("alerts"), words);
 */
export function alertLine(container: HTMLElement, words: Translator): (alert: ApproverAlert) => void {
  const alerts: ApproverAlert[] = [];
  const line = Object.assign(document.createElement("p"), { className: "alert-line" });
  line.setAttribute("role", "alert");
  const earlier = Object.assign(document.createElement("details"), { className: "earlier" });
  const summary = document.createElement("summary");
  const list = document.createElement("ul");
  earlier.append(summary, list);
  // A cross, named for screen readers and on hover: the line keeps its width for the words.
  const dismiss = Object.assign(document.createElement("button"), {
    type: "button",
    className: "dismiss",
    textContent: "×",
    title: words.t("page.dismiss"),
  });
  dismiss.setAttribute("aria-label", words.t("page.dismiss"));
  dismiss.onclick = () => {
    alerts.length = 0;
    container.hidden = true;
    container.replaceChildren();
  };
  container.classList.add("alert");

  const describe = (alert: ApproverAlert): (string | Node)[] => {
    const at = new Date(alert.at);
    const time = Object.assign(document.createElement("time"), {
      dateTime: at.toISOString(),
      textContent: at.toLocaleTimeString(words.lang, { hour: "2-digit", minute: "2-digit" }),
    });
    return [`${words.t(ALERT_WORDS[alert.reason] ?? "page.alertOther")} `, time];
  };

  return (alert) => {
    alerts.unshift(alert);
    const [newest, ...older] = alerts;
    if (!newest) return;
    line.replaceChildren(...describe(newest));
    summary.textContent = words.t("page.alertsEarlier", { count: older.length });
    list.replaceChildren(
      ...older.map((each) => {
        const item = document.createElement("li");
        item.append(...describe(each));
        return item;
      }),
    );
    earlier.hidden = older.length === 0;
    container.replaceChildren(line, dismiss, earlier);
    container.hidden = false;
  };
}
