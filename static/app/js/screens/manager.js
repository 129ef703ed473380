// The manager's screens (office staff who take lobby greeting shifts 迎候): my next shifts,
// check-in and check-out at the post by scanning its code, and shift swaps.
import { button, el, reason } from "../dom.js";
import { t as translate } from "../i18n.js";

export const messages = {
  zh: {
    "manager.menu": "我的迎候班次",
    "manager.menu_check": "迎候签到 / 签退",
    "manager.title": "我的迎候班次",
    "manager.none": "近期没有迎候班次。",
    "manager.cached": "没有网络，显示上次加载的班次。",
    "manager.next": "下一班",
    "manager.now": "当前班次",
    "manager.window.morning": "早间迎候",
    "manager.window.evening": "晚间迎候",
    "manager.checked_in": "签到 {time}",
    "manager.checked_out": "签退 {time}",
    "manager.scan_post": "签到 / 签退（扫岗位码）",
    "manager.swap": "申请换班",
    "manager.swaps": "换班申请",
    "manager.no_swaps": "没有待处理的换班申请。",
    "manager.swap_to_me": "{name} 想用 {theirs} 换您的 {mine}",
    "manager.swap_mine": "您申请用 {mine} 换 {theirs}",
    "manager.accept": "同意",
    "manager.decline": "拒绝",
    "manager.withdraw": "撤回",
    "manager.swap_status.pending": "等待对方答复",
    "manager.swap_status.accepted": "等待主管批准",
    "manager.swap_done": "已处理。",
    "manager.swap_title": "申请换班",
    "manager.swap_pick": "选择同事的一个班次与您的 {mine} 交换：",
    "manager.swap_none": "没有可交换的同事班次。",
    "manager.swap_sent": "换班申请已发送，等待同事答复。",
    "manager.online_only": "换班需要网络。",
    "manager.check_title": "迎候签到 / 签退",
    "manager.check_shift": "班次：{shift}",
    "manager.check_no_shift": "现在没有找到您的班次（服务器会再核对）。",
    "manager.check_in": "签到",
    "manager.check_out": "签退",
    "manager.check_saved": "没有网络：已保存在本机，有网络时自动发送。",
    "manager.check_sent": "{kind}成功 {time}。",
    "manager.check_sending": "正在发送…",
    "manager.check_refused": "{kind}未成功，服务器拒绝：",
    "manager.post_n": "迎候岗位 #{id}",
    "status.scheduled": "待值班",
    "status.on_time": "准时",
    "status.late": "迟到",
    "status.left_early": "早退",
    "status.late_and_left_early": "迟到且早退",
    "status.overstayed": "超时停留",
    "status.missing_check_out": "未签退",
    "status.no_show": "缺勤",
  },
  en: {
    "manager.menu": "My greeting shifts",
    "manager.menu_check": "Greeting check-in / out",
    "manager.title": "My greeting shifts",
    "manager.none": "No greeting shifts coming up.",
    "manager.cached": "No signal: showing the shifts last loaded.",
    "manager.next": "Next shift",
    "manager.now": "Current shift",
    "manager.window.morning": "Morning greeting",
    "manager.window.evening": "Evening greeting",
    "manager.checked_in": "In at {time}",
    "manager.checked_out": "Out at {time}",
    "manager.scan_post": "Check in / out (scan the post's code)",
    "manager.swap": "Ask for a swap",
    "manager.swaps": "Swap requests",
    "manager.no_swaps": "No swap requests waiting.",
    "manager.swap_to_me": "{name} offers {theirs} for your {mine}",
    "manager.swap_mine": "You asked to swap {mine} for {theirs}",
    "manager.accept": "Accept",
    "manager.decline": "Decline",
    "manager.withdraw": "Withdraw",
    "manager.swap_status.pending": "Waiting for the colleague",
    "manager.swap_status.accepted": "Waiting for the supervisor",
    "manager.swap_done": "Done.",
    "manager.swap_title": "Ask for a swap",
    "manager.swap_pick": "Pick a colleague's shift to swap for your {mine}:",
    "manager.swap_none": "No colleague's shift to swap with.",
    "manager.swap_sent": "Swap request sent; waiting for the colleague.",
    "manager.online_only": "Swaps need signal.",
    "manager.check_title": "Greeting check-in / out",
    "manager.check_shift": "Shift: {shift}",
    "manager.check_no_shift": "No shift of yours found for now (the server checks again).",
    "manager.check_in": "Check in",
    "manager.check_out": "Check out",
    "manager.check_saved": "No signal: saved on this phone, sent when there is signal.",
    "manager.check_sent": "{kind}: done at {time}.",
    "manager.check_sending": "Sending…",
    "manager.check_refused": "{kind} refused by the server:",
    "manager.post_n": "Greeting post #{id}",
    "status.scheduled": "Scheduled",
    "status.on_time": "On time",
    "status.late": "Late",
    "status.left_early": "Left early",
    "status.late_and_left_early": "Late and left early",
    "status.overstayed": "Overstayed",
    "status.missing_check_out": "No check-out",
    "status.no_show": "No-show",
  },
};

const SHIFTS = "xj.manager.shifts";
const GREETERS = new Set(["manager", "supervisor", "admin"]);

function describe(ctx, shift) {
  if (!shift) return "";
  const window = ctx.t(`manager.window.${shift.window}`);
  return `${shift.day} ${window} ${shift.starts_at.slice(11, 16)}–${shift.ends_at.slice(11, 16)}`;
}

function loadShifts() {
  try {
    return JSON.parse(localStorage.getItem(SHIFTS)) || [];
  } catch {
    return [];
  }
}

// The shift a check at this moment belongs to (as the server matches it: from 30 minutes
// before its start to 2 hours after its end).
function shiftNow(shifts, now = Date.now()) {
  return shifts.find(
    (s) => Date.parse(s.starts_at) - 30 * 60000 <= now && now <= Date.parse(s.ends_at) + 2 * 3600000,
  );
}

async function renderShifts(view, params, ctx) {
  const { t } = ctx;
  view.append(el("h1", {}, t("manager.title")));
  let shifts;
  try {
    shifts = await ctx.api("GET", "/greeting/my-shifts");
    localStorage.setItem(SHIFTS, JSON.stringify(shifts));
  } catch (error) {
    if (error.status !== 0) throw error;
    shifts = loadShifts();
    view.append(el("p", { class: "muted" }, t("manager.cached")));
  }
  view.append(el("a", { class: "button primary block", href: "#/scanner" }, `▣ ${t("manager.scan_post")}`));
  // Swap requests first: they wait for an answer, the list of shifts can be long.
  const swapsBox = el("section", { class: "swaps" });
  view.append(swapsBox);
  if (!shifts.length) view.append(el("p", { class: "muted" }, t("manager.none")));
  const now = Date.now();
  const current = shiftNow(shifts, now);
  const next = current || shifts.find((s) => Date.parse(s.ends_at) > now);
  for (const shift of shifts) {
    const card = el("div", { class: "card shift", "data-shift": String(shift.id) });
    if (shift === next) {
      card.classList.add("highlight");
      const underWay = Date.parse(shift.starts_at) <= now && now <= Date.parse(shift.ends_at);
      card.append(el("p", { class: "small ok" }, underWay ? t("manager.now") : t("manager.next")));
    }
    const row = el("div", { class: "row" });
    row.append(el("strong", { class: "grow" }, describe(ctx, shift)));
    const badge = el("span", { class: "badge" }, t(`status.${shift.status}`));
    if (["late", "left_early", "late_and_left_early", "no_show", "missing_check_out"].includes(shift.status)) {
      badge.classList.add("bad");
    }
    row.append(badge);
    card.append(row);
    if (shift.check_in_at) {
      card.append(el("p", { class: "small check-in" }, t("manager.checked_in", { time: shift.check_in_at.slice(11, 16) })));
    }
    if (shift.check_out_at) {
      card.append(el("p", { class: "small check-out" }, t("manager.checked_out", { time: shift.check_out_at.slice(11, 16) })));
    }
    if (Date.parse(shift.starts_at) > now && !shift.check_in_at) {
      const swap = el("a", { class: "button block", href: `#/swap-new/${shift.id}` }, t("manager.swap"));
      card.append(swap);
    }
    view.append(card);
  }
  view.append(el("a", { class: "button block back", href: "#/" }, t("app.home")));
  await renderSwaps(swapsBox, ctx, shifts);
}

async function renderSwaps(view, ctx, mine) {
  const { t } = ctx;
  view.append(el("h2", {}, t("manager.swaps")));
  let swaps;
  try {
    swaps = (await ctx.api("GET", "/greeting/swaps")).filter((s) => ["pending", "accepted"].includes(s.status));
  } catch (error) {
    if (error.status === 0) return;
    throw error;
  }
  const user = ctx.session().user;
  const myIds = new Set(mine.map((s) => s.id));
  const relevant = swaps.filter((s) => s.requested_by_id === user.id || myIds.has(s.other_shift_id));
  if (!relevant.length) {
    view.append(el("p", { class: "muted" }, t("manager.no_swaps")));
    return;
  }
  const others = await siteShifts(ctx, relevant[0].site_id, mine);
  const byId = new Map([...others, ...mine].map((s) => [s.id, s]));
  for (const swap of relevant) {
    const card = el("div", { class: "card swap", "data-swap": String(swap.id) });
    const requester = byId.get(swap.shift_id);
    const offered = byId.get(swap.other_shift_id);
    const toMe = myIds.has(swap.other_shift_id) && swap.requested_by_id !== user.id;
    const text = toMe
      ? t("manager.swap_to_me", {
          name: requester?.manager_name || "",
          theirs: describe(ctx, requester) || `#${swap.shift_id}`,
          mine: describe(ctx, offered) || `#${swap.other_shift_id}`,
        })
      : t("manager.swap_mine", {
          mine: describe(ctx, requester) || `#${swap.shift_id}`,
          theirs: `${offered?.manager_name || ""} ${describe(ctx, offered) || `#${swap.other_shift_id}`}`,
        });
    card.append(el("p", {}, text));
    card.append(el("p", { class: "small muted" }, t(`manager.swap_status.${swap.status}`)));
    const actions = el("div", { class: "choice" });
    const act = async (path) => {
      try {
        await ctx.api("POST", `/greeting/swaps/${swap.id}/${path}`);
        ctx.toast(t("manager.swap_done"));
      } catch (error) {
        ctx.toast(reason(error));
      }
      ctx.navigate("manager");
    };
    if (toMe && swap.status === "pending") {
      const accept = button(t("manager.accept"), "primary");
      accept.addEventListener("click", () => act("accept"));
      const decline = button(t("manager.decline"), "danger");
      decline.addEventListener("click", () => act("decline"));
      actions.append(accept, decline);
    } else if (swap.requested_by_id === user.id) {
      const withdraw = button(t("manager.withdraw"), "danger");
      withdraw.addEventListener("click", () => act("decline"));
      actions.append(withdraw);
    }
    card.append(actions);
    view.append(card);
  }
}

// The site's shifts of the months my shifts fall in (to name a colleague's shift).
async function siteShifts(ctx, siteId, mine) {
  const months = new Set(mine.map((s) => Number(s.day.slice(0, 7).replace("-", ""))));
  if (!months.size) {
    const d = new Date();
    months.add(d.getFullYear() * 100 + d.getMonth() + 1);
  }
  const all = [];
  for (const month of months) {
    all.push(...(await ctx.api("GET", "/greeting/shifts", { query: { site_id: siteId, month } })));
  }
  return all;
}

async function renderSwapNew(view, [shiftId], ctx) {
  const { t } = ctx;
  view.append(el("h1", {}, t("manager.swap_title")));
  const mine = loadShifts();
  const shift = mine.find((s) => String(s.id) === String(shiftId));
  if (!shift) {
    view.append(el("p", { class: "error" }, t("app.not_found")));
    return;
  }
  let others;
  try {
    others = await siteShifts(ctx, shift.site_id, [shift]);
  } catch (error) {
    if (error.status === 0) {
      view.append(el("p", { class: "error" }, t("manager.online_only")));
      return;
    }
    throw error;
  }
  const myDays = new Set(mine.map((s) => s.day));
  const now = Date.now();
  const choices = others.filter(
    (s) =>
      s.manager_id !== shift.manager_id &&
      Date.parse(s.starts_at) > now &&
      !s.check_in_at &&
      (s.day === shift.day || !myDays.has(s.day)),
  );
  view.append(el("p", {}, t("manager.swap_pick", { mine: describe(ctx, shift) })));
  if (!choices.length) view.append(el("p", { class: "muted" }, t("manager.swap_none")));
  for (const other of choices) {
    const choice = button(`${other.manager_name} · ${describe(ctx, other)}`, "block swap-choice");
    choice.addEventListener("click", async () => {
      choice.disabled = true;
      try {
        await ctx.api("POST", "/greeting/swaps", {
          json: { shift_id: shift.id, other_shift_id: other.id },
        });
        ctx.toast(t("manager.swap_sent"));
        ctx.navigate("manager");
      } catch (error) {
        choice.disabled = false;
        ctx.toast(reason(error));
      }
    });
    view.append(choice);
  }
  view.append(el("a", { class: "button block", href: "#/manager" }, t("app.back")));
}

// The post a greeting code names: "p<site>.<post>.<key>.<signature>".
function postOf(token) {
  const match = /^p(\d+)\.(\d+)\./.exec(String(token || ""));
  return match ? Number(match[2]) : null;
}

async function renderCheck(view, [token], ctx) {
  const { t } = ctx;
  view.append(el("h1", {}, t("manager.check_title")));
  if (!GREETERS.has(ctx.session().user.role)) {
    view.append(el("p", { class: "error" }, t("app.not_found")));
    return;
  }
  let shifts = loadShifts();
  try {
    shifts = await ctx.api("GET", "/greeting/my-shifts");
    localStorage.setItem(SHIFTS, JSON.stringify(shifts));
  } catch (error) {
    if (error.status !== 0) throw error;
  }
  const postId = postOf(token);
  let postName = postId ? t("manager.post_n", { id: postId }) : "";
  if (postId) {
    try {
      postName = (await ctx.api("GET", `/posts/${postId}`)).name || postName;
    } catch {
      // offline, or not a post of my sites: the server says so when the check is sent
    }
  }
  if (postName) view.append(el("p", { class: "check-post" }, postName));
  const shift = shiftNow(shifts);
  view.append(
    el("p", { class: "check-shift" }, shift ? t("manager.check_shift", { shift: describe(ctx, shift) }) : t("manager.check_no_shift")),
  );
  const choice = el("div", { class: "choice" });
  const checkIn = button(t("manager.check_in"), shift?.check_in_at ? "" : "primary");
  const checkOut = button(t("manager.check_out"), shift?.check_in_at ? "primary" : "");
  checkIn.id = "check-in";
  checkOut.id = "check-out";
  choice.append(checkIn, checkOut);
  view.append(choice);
  // The server's answer, said here: checked in, refused and why, or kept on the phone.
  const answer = el("div", { id: "check-answer", role: "status", "aria-live": "polite" });
  view.append(answer);
  view.append(el("a", { class: "button block", href: "#/manager" }, t("manager.title")));
  const send = async (kind) => {
    checkIn.disabled = checkOut.disabled = true;
    answer.replaceChildren(el("p", { class: "muted" }, t("manager.check_sending")));
    const action = kind === "in" ? t("manager.check_in") : t("manager.check_out");
    const result = await ctx.outbox.submit(
      "check",
      { id: ctx.uuid(), payload: token, kind, device_at: ctx.localIso() },
      [],
      { label: postName ? `${action} · ${postName}` : action },
    );
    if (result.refused) {
      answer.replaceChildren(
        el("p", { class: "error refused-answer", role: "alert" }, t("manager.check_refused", { kind: action })),
        el("p", { class: "error server-message" }, result.refused.display()),
      );
      checkIn.disabled = checkOut.disabled = false;
      return;
    }
    if (result.queued) {
      answer.replaceChildren(el("p", { class: "warn queued-answer" }, t("manager.check_saved")));
      return;
    }
    const stored = result.answer;
    const at = kind === "in" ? stored.check_in_at : stored.check_out_at;
    const done = el("p", { class: "ok sent-answer" }, t("manager.check_sent", { kind: action, time: at ? at.slice(11, 16) : "" }));
    const detail = el("p", {}, `${describe(ctx, stored)} · ${t(`status.${stored.status}`)}`);
    answer.replaceChildren(done, detail);
    // Checked in: checking out (later, from this same screen) is what comes next.
    checkIn.disabled = checkOut.disabled = false;
    checkIn.classList.toggle("primary", kind !== "in");
    checkOut.classList.toggle("primary", kind === "in");
  };
  checkIn.addEventListener("click", () => send("in"));
  checkOut.addEventListener("click", () => send("out"));
}

export const routes = {
  manager: renderShifts,
  "swap-new": renderSwapNew,
  "greet-check": renderCheck,
};

export function menu(user) {
  if (user.role !== "manager") return [];
  return [
    { route: "manager", label: translate("manager.menu") },
    { route: "scanner", label: translate("manager.menu_check") },
  ];
}
