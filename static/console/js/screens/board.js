// The live supervision board 现场看板: today's rounds at one site with their progress (the
// overdue ones first, turning overdue the second their grace ends), the flagged scans waiting
// for a person's judgement, open anomalies, overdue rectifications and hand-overs nobody has
// taken over yet. It refreshes itself every 20 s without touching a review note being written.
import { session } from "/app/js/session.js";
import { answerBox, api, h, field, lang, localTime, mySites, reason, sitePicker, t, table } from "../ui.js";

export const messages = {
  zh: {
    "board.nav": "现场看板",
    "board.title": "现场看板",
    "board.no_sites": "您的账号还没有可查看的项目。",
    "board.updated": "更新于 {time}",
    "board.updating": "正在更新…",
    "board.stale": "更新失败（{message}），显示的是 {time} 的情况。",
    "board.refresh": "立即刷新",
    "board.auto": "每 20 秒自动刷新",
    "board.summary": "概况",
    "board.sum_overdue": "超时 {n}",
    "board.sum_active": "巡查中 {n}",
    "board.sum_upcoming": "未开始 {n}",
    "board.sum_done": "已结束 {n}",
    "board.rounds": "今日巡更（{n} 轮）",
    "board.rounds_overdue": "今日巡更（{n} 轮，{overdue} 轮超时）",
    "board.rounds_caption": "今日巡更任务，超时的排在最前",
    "board.rounds_none": "今天这个项目没有巡更任务。",
    "board.col_window": "时段",
    "board.col_route": "路线",
    "board.col_guard": "护卫员",
    "board.col_progress": "进度",
    "board.col_state": "状态",
    "board.progress": "{visited}/{total} 个点",
    "board.unassigned": "未指派",
    "board.route_n": "路线 #{id}",
    "board.staff_n": "员工 #{id}",
    "board.user_n": "账号 #{id}",
    "board.place_n": "点位 #{id}",
    "board.area_n": "区域 #{id}",
    "board.post_n": "岗位 #{id}",
    "board.contractor_n": "服务供方 #{id}",
    "board.state.upcoming": "未开始",
    "board.state.due": "待开始",
    "board.state.overdue": "超时未巡",
    "board.state.in_progress": "巡查中",
    "board.state.done": "已巡完",
    "board.state.closed": "已结束，待判定",
    "board.status.complete": "已完成",
    "board.status.incomplete": "部分完成",
    "board.status.missed": "漏巡",
    "board.overdue_for": "已超时 {n} 分钟",
    "board.grace_left": "{n} 分钟内应开始",
    "board.late": "迟到 {n} 分钟",
    "board.out_of_order": "顺序不对",
    "board.missed_points": "漏 {n} 个点",
    "board.round_flags": "可疑 {n}",
    "board.flagged": "待复核的可疑打卡（{n}）",
    "board.flagged_hint": "系统认为这些打卡可疑。核实后确认属实，或写明理由驳回（误报）。",
    "board.flagged_none": "没有待复核的打卡。",
    "board.scan_at": "打卡时间 {time}",
    "board.scan_uploaded": "上传于 {time}",
    "board.scan_note": "护卫员备注：{note}",
    "board.review_note": "复核说明（驳回时必填）",
    "board.confirm": "确认属实",
    "board.dismiss": "驳回",
    "board.dismiss_needs_note": "驳回时请写明理由。",
    "board.reviewed_confirmed": "已确认属实：{who} · {place} · {time}",
    "board.reviewed_dismissed": "已驳回：{who} · {place} · {time}",
    "board.gone": "这条打卡已不在待复核列表中（可能已有人复核）。",
    "board.put_away": "知道了，移除",
    "board.colon": "：",
    "board.first_n": "只显示最早的 {n} 条。",
    "board.latest_n": "只显示最近的 {n} 条。",
    "board.anomalies": "未处理异常（{n}）",
    "board.anomalies_none": "没有未处理的异常。",
    "board.reported": "{time} 报告",
    "board.rectifications": "逾期整改（{n}）",
    "board.rectifications_none": "没有逾期的整改。",
    "board.due": "应于 {time} 完成",
    "board.overdue_hours": "逾期 {n} 小时",
    "board.overdue_days": "逾期 {n} 天",
    "board.reopened": "已退回 {n} 次",
    "board.handovers": "未确认的交接班（{n}）",
    "board.handovers_none": "没有待确认的交接班。",
    "board.handover_by": "{who} 于 {time} 交班",
    "board.handover_counts": "未处理异常 {a} · 漏巡点 {m} · 超时任务 {o}",
    "board.section_failed": "读取失败：{message}",
    "board.offline": "连不上服务器，请检查网络。",
    "board.flag.far_from_checkpoint": "不在点位附近",
    "board.flag.too_fast": "移动过快",
    "board.flag.clock_skew": "手机时间不准",
    "board.flag.duplicate_scan": "重复扫码",
    "board.flag.two_devices_one_checkpoint": "两部手机扫同一点",
    "board.flag.one_device_two_guards": "一部手机多人打卡",
    "board.flag.burst_upload": "事后集中补扫",
    "board.cat.lighting": "照明故障",
    "board.cat.water_leak": "漏水",
    "board.cat.fire_exit_blocked": "消防通道堵塞",
    "board.cat.fire_equipment": "消防设施问题",
    "board.cat.security": "治安 / 安全隐患",
    "board.cat.cleanliness": "卫生问题",
    "board.cat.facility_damage": "设施损坏",
    "board.cat.check_item_failed": "检查项不合格",
    "board.cat.other": "其他",
  },
  en: {
    "board.nav": "Live board",
    "board.title": "Live board",
    "board.no_sites": "Your account has no site to watch yet.",
    "board.updated": "Updated {time}",
    "board.updating": "Updating…",
    "board.stale": "Update failed ({message}); this is the picture at {time}.",
    "board.refresh": "Refresh now",
    "board.auto": "Refreshes every 20 s",
    "board.summary": "Summary",
    "board.sum_overdue": "Overdue {n}",
    "board.sum_active": "Under way {n}",
    "board.sum_upcoming": "Not started {n}",
    "board.sum_done": "Over {n}",
    "board.rounds": "Today's rounds ({n})",
    "board.rounds_overdue": "Today's rounds ({n}, {overdue} overdue)",
    "board.rounds_caption": "Today's rounds, overdue ones first",
    "board.rounds_none": "No rounds at this site today.",
    "board.col_window": "Time",
    "board.col_route": "Route",
    "board.col_guard": "Guard",
    "board.col_progress": "Progress",
    "board.col_state": "State",
    "board.progress": "{visited}/{total} checkpoints",
    "board.unassigned": "Unassigned",
    "board.route_n": "Route #{id}",
    "board.staff_n": "Staff #{id}",
    "board.user_n": "Account #{id}",
    "board.place_n": "Checkpoint #{id}",
    "board.area_n": "Area #{id}",
    "board.post_n": "Post #{id}",
    "board.contractor_n": "Contractor #{id}",
    "board.state.upcoming": "Not started",
    "board.state.due": "Due",
    "board.state.overdue": "Overdue",
    "board.state.in_progress": "Under way",
    "board.state.done": "All visited",
    "board.state.closed": "Over, being judged",
    "board.status.complete": "Complete",
    "board.status.incomplete": "Incomplete",
    "board.status.missed": "Missed",
    "board.overdue_for": "{n} min overdue",
    "board.grace_left": "start within {n} min",
    "board.late": "{n} min late",
    "board.out_of_order": "Out of order",
    "board.missed_points": "{n} checkpoints missed",
    "board.round_flags": "{n} flagged",
    "board.flagged": "Flagged scans to review ({n})",
    "board.flagged_hint":
      "These scans look suspicious. Check them, then confirm the suspicion or dismiss it with a reason.",
    "board.flagged_none": "No scans waiting for review.",
    "board.scan_at": "Scanned {time}",
    "board.scan_uploaded": "uploaded {time}",
    "board.scan_note": "Guard's note: {note}",
    "board.review_note": "Review note (required to dismiss)",
    "board.confirm": "Confirm",
    "board.dismiss": "Dismiss",
    "board.dismiss_needs_note": "Say why you dismiss it.",
    "board.reviewed_confirmed": "Confirmed: {who} · {place} · {time}",
    "board.reviewed_dismissed": "Dismissed: {who} · {place} · {time}",
    "board.gone": "This scan is no longer waiting for review (someone may have reviewed it).",
    "board.put_away": "OK, remove it",
    "board.colon": ": ",
    "board.first_n": "Only the first {n} are shown.",
    "board.latest_n": "Only the latest {n} are shown.",
    "board.anomalies": "Open anomalies ({n})",
    "board.anomalies_none": "No open anomalies.",
    "board.reported": "reported {time}",
    "board.rectifications": "Overdue rectifications ({n})",
    "board.rectifications_none": "No overdue rectifications.",
    "board.due": "due {time}",
    "board.overdue_hours": "{n} h overdue",
    "board.overdue_days": "{n} days overdue",
    "board.reopened": "sent back {n}×",
    "board.handovers": "Hand-overs not acknowledged ({n})",
    "board.handovers_none": "No hand-overs waiting.",
    "board.handover_by": "handed over by {who} at {time}",
    "board.handover_counts": "open anomalies {a} · missed checkpoints {m} · overdue rounds {o}",
    "board.section_failed": "Could not read this: {message}",
    "board.offline": "Cannot reach the server; check the connection.",
    "board.flag.far_from_checkpoint": "Far from the checkpoint",
    "board.flag.too_fast": "Moved too fast",
    "board.flag.clock_skew": "Phone clock off",
    "board.flag.duplicate_scan": "Scanned twice",
    "board.flag.two_devices_one_checkpoint": "Two phones, one checkpoint",
    "board.flag.one_device_two_guards": "One phone, several guards",
    "board.flag.burst_upload": "Scanned in a burst afterwards",
    "board.cat.lighting": "Lighting fault",
    "board.cat.water_leak": "Water leak",
    "board.cat.fire_exit_blocked": "Fire exit blocked",
    "board.cat.fire_equipment": "Fire equipment",
    "board.cat.security": "Security",
    "board.cat.cleanliness": "Cleanliness",
    "board.cat.facility_damage": "Facility damage",
    "board.cat.check_item_failed": "Check item failed",
    "board.cat.other": "Other",
  },
};

const BOARD_ROLES = new Set(["admin", "supervisor", "manager"]);
const REFRESH_MS = 20000;
const PAGE = 100;
// Overdue first, then what needs watching now, then what is to come, then what is over.
const STATE_ORDER = { overdue: 0, due: 1, in_progress: 2, upcoming: 3, done: 4, closed: 5 };

export const routes = { board: renderBoard };

export function nav(user) {
  if (!BOARD_ROLES.has(user.role)) return [];
  return [{ route: "board", label: t("board.nav"), group: "board" }];
}

// --- time -------------------------------------------------------------------------------

/** "HH:MM" (or "HH:MM:SS") of a server time, in the site's wall clock as the server wrote it. */
function clock(iso, seconds = false) {
  const match = /T(\d{2}:\d{2})(:\d{2})?/.exec(iso || "");
  if (!match) return "";
  return seconds ? `${match[1]}${match[2] || ":00"}` : match[1];
}

function day(iso) {
  return (iso || "").slice(0, 10);
}

/** A time as HH:MM when it is on `today`, else with its date. */
function shortTime(iso, today) {
  return day(iso) === today ? clock(iso) : localTime(iso);
}

// --- the first page of a list, and whether there is more --------------------------------

async function firstPage(path, query) {
  const items = await api("GET", path, { query: { ...query, page: 1, page_size: PAGE } });
  return { items, more: items.length >= PAGE };
}

async function listAll(path, query) {
  const items = [];
  for (let page = 1; page <= 50; page += 1) {
    const batch = await api("GET", path, { query: { ...query, page, page_size: PAGE } });
    items.push(...batch);
    if (batch.length < PAGE) break;
  }
  return items;
}

// --- the screen -------------------------------------------------------------------------

async function renderBoard(view) {
  const sites = await mySites();
  view.append(h("h1", {}, t("board.title")));
  if (!sites.length) {
    view.append(h("p", { class: "muted" }, t("board.no_sites")));
    return;
  }
  const board = new Board(view);
  const picker = sitePicker(sites, (siteId) => board.show(siteId));
  const refreshButton = h(
    "button",
    { type: "button", id: "board-refresh", class: "small" },
    t("board.refresh"),
  );
  refreshButton.addEventListener("click", () => board.refresh());
  board.refreshButton = refreshButton;
  view.append(
    h(
      "div",
      { class: "card", id: "board-head" },
      h("div", { class: "bd-head" }, picker.node),
      h(
        "p",
        { class: "bd-clock" },
        board.updated,
        h("span", { class: "muted small" }, t("board.auto")),
        refreshButton,
      ),
      board.staleLine,
      h("ul", { class: "bd-summary", id: "board-summary", "aria-label": t("board.summary") }),
    ),
    board.roundsSection,
    h("div", { class: "bd-side" }, board.flaggedSection, board.followSection),
  );
  board.summary = view.querySelector("#board-summary");
  board.show(picker.value());
}

class Board {
  constructor(view) {
    this.view = view;
    this.siteId = null;
    this.generation = 0;
    this.refs = emptyRefs();
    this.live = null; // the last answer of /rounds/live
    this.skew = 0; // server clock minus this browser's clock, ms
    this.roundsKey = "";
    this.refreshing = false;
    this.timer = null;
    this.ticker = null;
    this.updated = h("span", { class: "bd-updated", id: "board-updated" });
    this.staleLine = h("p", { class: "bd-stale", id: "board-stale", hidden: true });

    this.roundsHeading = h("h2", { id: "board-rounds-heading" });
    this.roundsBody = h(
      "div",
      { class: "bd-rounds", id: "round-list" },
      h("p", { class: "muted" }, t("ui.loading")),
    );
    this.roundsSection = h(
      "section",
      { class: "card bd-section", id: "board-rounds", "aria-labelledby": "board-rounds-heading" },
      this.roundsHeading,
      this.roundsBody,
    );

    this.flaggedHeading = h("h2", { id: "board-flagged-heading" });
    this.reviewAnswer = answerBox({ id: "review-answer" });
    this.flaggedList = h("ul", { class: "bd-list", id: "flagged-list" });
    this.flaggedNote = h("p", { class: "muted small", id: "flagged-note", hidden: true });
    this.flaggedRows = new Map(); // scan id → its <li>, kept across refreshes
    this.flaggedSection = h(
      "section",
      { class: "card bd-section", id: "board-flagged", "aria-labelledby": "board-flagged-heading" },
      this.flaggedHeading,
      h("p", { class: "muted small" }, t("board.flagged_hint")),
      this.reviewAnswer,
      this.flaggedNote,
      this.flaggedList,
    );

    this.anomalies = listSection("board-anomalies", "anomaly-list");
    this.rectifications = listSection("board-rectifications", "rectification-list");
    this.handovers = listSection("board-handovers", "handover-list");
    this.followSection = h(
      "div",
      { class: "bd-follow" },
      this.anomalies.node,
      this.rectifications.node,
      this.handovers.node,
    );
  }

  alive() {
    if (this.view.isConnected) return true;
    clearTimeout(this.timer);
    clearInterval(this.ticker);
    return false;
  }

  /** Start watching a site (the picker's choice). */
  async show(siteId) {
    this.generation += 1;
    this.siteId = siteId;
    this.refs = emptyRefs();
    this.live = null;
    this.roundsKey = "";
    for (const row of this.flaggedRows.values()) row.remove();
    this.flaggedRows.clear();
    this.reviewAnswer.clear();
    clearInterval(this.ticker);
    this.ticker = setInterval(() => {
      if (this.alive()) this.tick();
    }, 1000);
    await this.refresh({ force: true });
  }

  /** Read everything again; each section re-renders unless someone is writing in it. */
  async refresh({ force = false } = {}) {
    if (!this.alive() || this.siteId === null) return;
    if (this.refreshing && !force) return;
    clearTimeout(this.timer);
    const generation = this.generation;
    const siteId = this.siteId;
    this.refreshing = true;
    this.refreshButton.disabled = true;
    try {
      await this.loadRefs(siteId);
      const [live, flagged, anomalies, rectifications, handovers] = await Promise.allSettled([
        api("GET", "/rounds/live", { query: { site_id: siteId } }),
        firstPage("/scans", { site_id: siteId, flagged: true, reviewed: false }),
        firstPage("/anomalies", { site_id: siteId, status: "open" }),
        firstPage("/rectifications", { site_id: siteId, overdue: true }),
        firstPage("/handovers", { site_id: siteId, acknowledged: false }),
      ]);
      if (generation !== this.generation || !this.alive()) return;
      const missing = this.missingRefs(live, flagged, anomalies, rectifications, handovers);
      if (missing && Date.now() - this.refs.at > 60000) {
        await this.loadRefs(siteId, true);
        if (generation !== this.generation || !this.alive()) return;
      }
      await this.findPeople(siteId, flagged, anomalies, handovers);
      if (generation !== this.generation || !this.alive()) return;
      if (live.status === "fulfilled") {
        this.live = live.value;
        this.skew = Date.parse(live.value.now) - Date.now();
        this.updated.textContent = t("board.updated", { time: clock(live.value.now, true) });
        this.staleLine.hidden = true;
        this.roundsKey = "";
        this.renderRounds();
      } else {
        this.showStale(live.reason);
      }
      this.renderFlagged(flagged);
      this.renderAnomalies(anomalies);
      this.renderRectifications(rectifications);
      this.renderHandovers(handovers);
    } catch (error) {
      if (generation === this.generation) this.showStale(error);
    } finally {
      if (generation === this.generation) {
        this.refreshing = false;
        this.refreshButton.disabled = false;
        if (this.alive()) this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
      }
    }
  }

  showStale(error) {
    if (!this.live) {
      this.roundsHeading.textContent = t("board.rounds", { n: "–" });
      this.roundsBody.replaceChildren(
        h("p", { class: "error" }, t("board.section_failed", { message: why(error) })),
      );
    }
    this.staleLine.hidden = false;
    this.staleLine.textContent = t("board.stale", {
      message: why(error),
      time: this.live ? clock(this.live.now, true) : "–",
    });
  }

  // --- names of things ------------------------------------------------------------------

  async loadRefs(siteId, again = false) {
    if (this.refs.loaded && !again) return;
    const admin = session()?.user?.role === "admin";
    const lists = await Promise.allSettled([
      listAll("/patrol-routes", { site_id: siteId }),
      listAll("/schedules", { site_id: siteId }),
      listAll("/staff", { site_id: siteId }),
      listAll("/checkpoints", { site_id: siteId }),
      listAll("/areas", { site_id: siteId }),
      listAll("/posts", { site_id: siteId }),
      listAll("/contractors", {}),
      admin ? listAll("/users", {}) : Promise.resolve([]),
    ]);
    const [routes, schedules, staff, checkpoints, areas, posts, contractors, users] = lists.map((r) =>
      r.status === "fulfilled" ? r.value : [],
    );
    const byId = (items) => new Map(items.map((item) => [item.id, item]));
    this.refs = {
      loaded: true,
      at: Date.now(),
      people: this.refs.people,
      routes: byId(routes),
      schedules: byId(schedules),
      staff: byId(staff),
      checkpoints: byId(checkpoints),
      areas: byId(areas),
      posts: byId(posts),
      contractors: byId(contractors),
      users: byId(users),
    };
  }

  /** True when an answer names a route, checkpoint or post the board does not know yet. */
  missingRefs(live, flagged, anomalies, rectifications, handovers) {
    const refs = this.refs;
    const value = (result) => (result.status === "fulfilled" ? result.value : null);
    const rounds = value(live)?.rounds || [];
    if (rounds.some((r) => !refs.routes.has(r.route_id) || (r.guard_id && !refs.staff.has(r.guard_id))))
      return true;
    if ((value(flagged)?.items || []).some((s) => !refs.checkpoints.has(s.checkpoint_id))) return true;
    if (
      (value(anomalies)?.items || []).some((a) => a.checkpoint_id && !refs.checkpoints.has(a.checkpoint_id))
    )
      return true;
    if ((value(rectifications)?.items || []).some((r) => !refs.areas.has(r.area_id))) return true;
    return (value(handovers)?.items || []).some((x) => !refs.posts.has(x.post_id));
  }

  routeName(id) {
    return this.refs.routes.get(id)?.name || t("board.route_n", { id });
  }

  staffName(id) {
    return this.refs.staff.get(id)?.name || t("board.staff_n", { id });
  }

  userName(id) {
    if (id === null || id === undefined) return "";
    const user = this.refs.users.get(id);
    if (user) return user.display_name || user.username;
    const me = session()?.user;
    if (me && me.id === id) return me.display_name || me.username;
    return this.refs.people.get(id) || t("board.user_n", { id });
  }

  /**
   * Only an administrator may list accounts; for the others, an account (the guard who handed
   * over, reported or scanned) is named by the staff member on one of its scans at this site.
   */
  async findPeople(siteId, ...results) {
    if (session()?.user?.role === "admin") return;
    const people = this.refs.people;
    const wanted = new Set();
    const add = (id) => {
      if (id !== null && id !== undefined && !people.has(id)) wanted.add(id);
    };
    const items = (result) => (result.status === "fulfilled" ? result.value.items : []);
    const [flagged, anomalies, handovers] = results;
    items(flagged).forEach((s) => s.staff_id || add(s.user_id));
    items(anomalies).forEach((a) => add(a.reported_by_id));
    items(handovers).forEach((x) => add(x.outgoing_id));
    await Promise.all(
      [...wanted].slice(0, 20).map(async (id) => {
        people.set(id, null);
        try {
          const [scan] = await api("GET", "/scans", {
            query: { site_id: siteId, user_id: id, page_size: 1 },
          });
          if (scan?.staff_id) people.set(id, this.staffName(scan.staff_id));
        } catch {
          // Not named then: the account number stands in.
        }
      }),
    );
  }

  /** Who scanned: the staff member, else the account. */
  scanner(scan) {
    return scan.staff_id ? this.staffName(scan.staff_id) : this.userName(scan.user_id);
  }

  checkpointName(id) {
    return this.refs.checkpoints.get(id)?.name || t("board.place_n", { id });
  }

  areaName(id) {
    return this.refs.areas.get(id)?.name || t("board.area_n", { id });
  }

  // --- rounds ---------------------------------------------------------------------------

  now() {
    return Date.now() + this.skew;
  }

  /**
   * A round's state at this second. The server says it at each refresh; between refreshes a
   * round that has not started turns due at its start and overdue when its grace ends (the
   * grace is its schedule's), and nothing turns back.
   */
  stateNow(round) {
    const now = this.now();
    const starts = Date.parse(round.starts_at);
    const ends = Date.parse(round.ends_at);
    let state = round.state;
    if (state === "upcoming" && now >= starts && now <= ends) state = "due";
    const deadline = this.deadline(round);
    if (state === "due" && deadline !== null && now > deadline && now <= ends) state = "overdue";
    return state;
  }

  deadline(round) {
    const grace = this.refs.schedules.get(round.schedule_id)?.start_grace_minutes;
    if (grace === undefined || grace === null) return null;
    return Date.parse(round.starts_at) + grace * 60000;
  }

  tick() {
    if (!this.live) return;
    const states = this.live.rounds.map((r) => `${r.id}:${this.stateNow(r)}:${this.minuteNote(r)}`);
    const key = states.join("|");
    if (key !== this.roundsKey) this.renderRounds();
  }

  /** "12 min overdue" / "start within 4 min": changes once a minute. */
  minuteNote(round) {
    const state = this.stateNow(round);
    const deadline = this.deadline(round);
    if (deadline === null) return "";
    if (state === "overdue")
      return t("board.overdue_for", { n: Math.max(1, Math.ceil((this.now() - deadline) / 60000)) });
    if (state === "due")
      return t("board.grace_left", { n: Math.max(1, Math.ceil((deadline - this.now()) / 60000)) });
    return "";
  }

  renderRounds() {
    const live = this.live;
    const today = day(live.now);
    const rows = live.rounds.map((round) => ({
      ...round,
      now_state: this.stateNow(round),
      note: this.minuteNote(round),
    }));
    this.roundsKey = rows.map((r) => `${r.id}:${r.now_state}:${r.note}`).join("|");
    rows.sort(
      (a, b) =>
        (STATE_ORDER[a.now_state] ?? 9) - (STATE_ORDER[b.now_state] ?? 9) ||
        Date.parse(a.starts_at) - Date.parse(b.starts_at) ||
        a.id - b.id,
    );
    const count = (...states) => rows.filter((r) => states.includes(r.now_state)).length;
    const overdue = count("overdue");
    this.roundsHeading.textContent = overdue
      ? t("board.rounds_overdue", { n: rows.length, overdue })
      : t("board.rounds", { n: rows.length });
    this.summary.replaceChildren(
      h(
        "li",
        { class: overdue ? "bd-hot" : null, id: "board-sum-overdue" },
        t("board.sum_overdue", { n: overdue }),
      ),
      h("li", {}, t("board.sum_active", { n: count("due", "in_progress") })),
      h("li", {}, t("board.sum_upcoming", { n: count("upcoming") })),
      h("li", {}, t("board.sum_done", { n: count("done", "closed") })),
    );
    const columns = [
      {
        label: t("board.col_window"),
        value: (r) => `${shortTime(r.starts_at, today)}–${shortTime(r.ends_at, today)}`,
      },
      { label: t("board.col_route"), value: (r) => this.routeName(r.route_id) },
      {
        label: t("board.col_guard"),
        value: (r) =>
          r.guard_id ? this.staffName(r.guard_id) : h("span", { class: "muted" }, t("board.unassigned")),
      },
      { label: t("board.col_progress"), value: (r) => progress(r) },
      { label: t("board.col_state"), value: (r) => this.stateCell(r) },
    ];
    const node = table(columns, rows, {
      caption: t("board.rounds_caption"),
      empty: t("board.rounds_none"),
      rowAttrs: (r) => ({
        "data-id": r.id,
        "data-state": r.now_state,
        class: r.now_state === "overdue" ? "problem" : null,
      }),
    });
    for (const row of node.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => cell.setAttribute("data-label", columns[i].label));
    }
    this.roundsBody.replaceChildren(node);
  }

  stateCell(round) {
    const badges = [];
    const state = round.now_state;
    if (state === "closed" && round.status !== "open") {
      const kind = { complete: "ok", incomplete: "warn", missed: "error" }[round.status] || "muted";
      badges.push(h("span", { class: `badge ${kind}` }, t(`board.status.${round.status}`)));
    } else {
      const kind = { overdue: "bd-alarm", due: "warn", in_progress: "ok", done: "ok" }[state] || "muted";
      badges.push(h("span", { class: `badge ${kind}` }, t(`board.state.${state}`)));
    }
    if (round.late)
      badges.push(h("span", { class: "badge warn" }, t("board.late", { n: round.late_minutes })));
    if (round.out_of_order) badges.push(h("span", { class: "badge warn" }, t("board.out_of_order")));
    const missed = round.missed_checkpoint_ids?.length || 0;
    if (missed && round.status !== "missed")
      badges.push(h("span", { class: "badge warn" }, t("board.missed_points", { n: missed })));
    if (round.flags?.length)
      badges.push(h("span", { class: "badge warn" }, t("board.round_flags", { n: round.flags.length })));
    return h(
      "div",
      {},
      h("div", { class: "bd-badges" }, badges),
      round.note
        ? h("span", { class: state === "overdue" ? "bd-notes bd-warn" : "bd-notes" }, round.note)
        : null,
    );
  }

  // --- flagged scans --------------------------------------------------------------------

  renderFlagged(result) {
    if (result.status === "rejected") {
      this.flaggedHeading.textContent = t("board.flagged", { n: "–" });
      this.flaggedNote.className = "error";
      this.flaggedNote.hidden = false;
      this.flaggedNote.textContent = t("board.section_failed", { message: why(result.reason) });
      return;
    }
    const { items, more } = result.value;
    this.flaggedHeading.textContent = t("board.flagged", { n: more ? `${items.length}+` : items.length });
    this.flaggedNote.className = "muted small";
    this.flaggedNote.textContent = more ? t("board.latest_n", { n: items.length }) : "";
    this.flaggedNote.hidden = !more;
    const wanted = new Set(items.map((s) => String(s.id)));
    // Rows that left the list go, unless someone is writing in them (they say they left).
    for (const [id, row] of this.flaggedRows) {
      if (wanted.has(id)) continue;
      if (row.isDirty()) {
        row.markGone();
      } else {
        row.remove();
        this.flaggedRows.delete(id);
      }
    }
    // New rows are put in place without moving the existing ones (a moved textarea loses focus).
    let previous = null;
    for (const scan of items) {
      const id = String(scan.id);
      let row = this.flaggedRows.get(id);
      if (!row) {
        row = this.flaggedRow(scan);
        this.flaggedRows.set(id, row);
        if (previous) previous.after(row);
        else this.flaggedList.prepend(row);
      }
      previous = row;
    }
    const empty = this.flaggedList.querySelector(".bd-empty");
    if (!this.flaggedRows.size && !empty) {
      this.flaggedList.append(h("li", { class: "bd-empty muted" }, t("board.flagged_none")));
    } else if (this.flaggedRows.size && empty) {
      empty.remove();
    }
  }

  flaggedRow(scan) {
    const id = String(scan.id);
    const today = this.live ? day(this.live.now) : "";
    const who = this.scanner(scan);
    const place = this.checkpointName(scan.checkpoint_id);
    const time = shortTime(scan.device_at, today);
    const note = h("textarea", { name: "note", id: `review-note-${id}`, maxlength: "500", rows: "2" });
    const answer = answerBox({ id: `review-answer-${id}` });
    const confirm = h(
      "button",
      { type: "button", class: "small primary", "data-decision": "confirmed" },
      t("board.confirm"),
    );
    const dismiss = h(
      "button",
      { type: "button", class: "small danger", "data-decision": "dismissed" },
      t("board.dismiss"),
    );
    const form = h(
      "form",
      { class: "bd-review", id: `review-form-${id}`, novalidate: true },
      field(t("board.review_note"), note),
      h("div", { class: "bd-buttons" }, confirm, dismiss),
      answer,
    );
    const row = h(
      "li",
      { "data-id": id, class: "bd-flagged" },
      h("div", { class: "bd-title" }, `${who} · ${place}`),
      h(
        "div",
        { class: "bd-meta" },
        t("board.scan_at", { time }),
        Math.abs(scan.gap_seconds || 0) >= 60
          ? ` · ${t("board.scan_uploaded", { time: shortTime(scan.server_at, today) })}`
          : "",
      ),
      h(
        "ul",
        { class: "bd-flags" },
        (scan.flags || []).map((flag) =>
          h(
            "li",
            {},
            h("strong", {}, word("board.flag", flag.code)),
            t("board.colon"),
            lang() === "zh" ? flag.reason_zh || flag.reason : flag.reason,
          ),
        ),
      ),
      scan.note ? h("p", { class: "small" }, t("board.scan_note", { note: scan.note })) : null,
      form,
    );
    let sending = false;
    row.isDirty = () =>
      sending ||
      note.value.trim() !== "" ||
      row.contains(document.activeElement) ||
      answer.classList.contains("error");
    // Reviewed elsewhere (or no longer flagged) while this row was being used: the row stays,
    // with the server's last answer, until its reader puts it away.
    row.markGone = () => {
      if (row.classList.contains("bd-gone")) return;
      row.classList.add("bd-gone");
      const away = h(
        "button",
        { type: "button", class: "small", "data-action": "away" },
        t("board.put_away"),
      );
      away.addEventListener("click", () => {
        row.remove();
        if (this.flaggedRows.get(id) === row) this.flaggedRows.delete(id);
        this.reloadFlagged();
      });
      confirm.replaceWith(away);
      dismiss.remove();
      form.append(h("p", { class: "bd-gone-note", id: `review-gone-${id}` }, t("board.gone")));
    };
    const decide = async (decision) => {
      if (sending || row.classList.contains("bd-gone")) return;
      const slot = form.querySelector(`#${CSS.escape(note.id)}-error`);
      slot.textContent = "";
      note.removeAttribute("aria-invalid");
      if (decision === "dismissed" && !note.value.trim()) {
        note.setAttribute("aria-invalid", "true");
        slot.textContent = t("board.dismiss_needs_note");
        answer.className = "answer error";
        answer.textContent = t("board.dismiss_needs_note");
        note.focus();
        return;
      }
      sending = true;
      confirm.disabled = dismiss.disabled = true;
      answer.busy();
      try {
        await api("POST", `/scans/${encodeURIComponent(id)}/review`, {
          json: { decision, note: note.value.trim() },
        });
        answer.ok();
        this.reviewAnswer.ok(t(`board.reviewed_${decision}`, { who, place, time }));
        sending = false;
        row.remove();
        this.flaggedRows.delete(id);
        await this.reloadFlagged();
      } catch (error) {
        refuse(answer, error);
        const message = error?.errors?.json?.note;
        if (message) {
          note.setAttribute("aria-invalid", "true");
          slot.textContent = [].concat(message).join(" ");
        }
      } finally {
        sending = false;
        if (!row.classList.contains("bd-gone")) confirm.disabled = dismiss.disabled = false;
      }
    };
    confirm.addEventListener("click", () => decide("confirmed"));
    dismiss.addEventListener("click", () => decide("dismissed"));
    form.addEventListener("submit", (event) => event.preventDefault());
    return row;
  }

  async reloadFlagged() {
    const generation = this.generation;
    let result;
    try {
      result = {
        status: "fulfilled",
        value: await firstPage("/scans", { site_id: this.siteId, flagged: true, reviewed: false }),
      };
    } catch (error) {
      result = { status: "rejected", reason: error };
    }
    if (generation === this.generation && this.alive()) this.renderFlagged(result);
  }

  // --- anomalies, rectifications, hand-overs --------------------------------------------

  renderAnomalies(result) {
    const today = this.live ? day(this.live.now) : "";
    this.anomalies.render(result, "board.anomalies", "board.anomalies_none", "board.latest_n", (a) =>
      h(
        "li",
        { "data-id": a.id },
        h("div", { class: "bd-title" }, word("board.cat", a.category)),
        h(
          "div",
          { class: "bd-meta" },
          [
            a.checkpoint_id
              ? this.checkpointName(a.checkpoint_id)
              : a.area_id
                ? this.areaName(a.area_id)
                : "",
            t("board.reported", { time: shortTime(a.reported_at, today) }),
            this.userName(a.reported_by_id),
          ]
            .filter(Boolean)
            .join(" · "),
        ),
        a.note ? h("div", {}, a.note) : null,
      ),
    );
  }

  renderRectifications(result) {
    const now = this.now();
    this.rectifications.render(
      result,
      "board.rectifications",
      "board.rectifications_none",
      "board.first_n",
      (r) => {
        const hours = Math.max(0, Math.floor((now - Date.parse(r.due_at)) / 3600000));
        const late =
          hours >= 48
            ? t("board.overdue_days", { n: Math.floor(hours / 24) })
            : t("board.overdue_hours", { n: Math.max(1, hours) });
        const who = r.assignee_id
          ? this.staffName(r.assignee_id)
          : r.contractor_id
            ? this.refs.contractors.get(r.contractor_id)?.name ||
              t("board.contractor_n", { id: r.contractor_id })
            : t("board.unassigned");
        const fault = lang() === "zh" ? r.fault || r.requirement : r.fault_en || r.requirement_en || r.fault;
        return h(
          "li",
          { "data-id": r.id },
          h("div", { class: "bd-title" }, `${this.areaName(r.area_id)} · ${fault || r.item_code}`),
          h(
            "div",
            { class: "bd-meta" },
            [
              who,
              t("board.due", { time: localTime(r.due_at) }),
              r.reopen_count ? t("board.reopened", { n: r.reopen_count }) : "",
            ]
              .filter(Boolean)
              .join(" · "),
          ),
          h("span", { class: "badge error" }, late),
        );
      },
    );
  }

  renderHandovers(result) {
    const today = this.live ? day(this.live.now) : "";
    this.handovers.render(result, "board.handovers", "board.handovers_none", "board.latest_n", (x) =>
      h(
        "li",
        { "data-id": x.id },
        h(
          "div",
          { class: "bd-title" },
          this.refs.posts.get(x.post_id)?.name || t("board.post_n", { id: x.post_id }),
        ),
        h(
          "div",
          { class: "bd-meta" },
          t("board.handover_by", { who: this.userName(x.outgoing_id), time: shortTime(x.created_at, today) }),
        ),
        h(
          "div",
          { class: "small" },
          t("board.handover_counts", {
            a: x.open_anomalies?.length || 0,
            m: x.missed_checkpoints?.length || 0,
            o: x.overdue_rounds?.length || 0,
          }),
        ),
        x.note ? h("div", {}, x.note) : null,
      ),
    );
  }
}

function emptyRefs() {
  const none = new Map();
  return {
    loaded: false,
    at: 0,
    people: new Map(), // account id → the name of the staff member its scans name (or null)
    routes: none,
    schedules: none,
    staff: none,
    checkpoints: none,
    areas: none,
    posts: none,
    contractors: none,
    users: none,
  };
}

/** A compact card: a heading with the count and a list (re-rendered whole: nothing to type in). */
function listSection(id, listId) {
  const heading = h("h2", { id: `${id}-heading` });
  const body = h("div", {});
  const node = h("section", { class: "card bd-section", id, "aria-labelledby": heading.id }, heading, body);
  return {
    node,
    render(result, titleKey, emptyKey, moreKey, item) {
      if (result.status === "rejected") {
        heading.textContent = t(titleKey, { n: "–" });
        body.replaceChildren(
          h("p", { class: "error" }, t("board.section_failed", { message: why(result.reason) })),
        );
        return;
      }
      const { items, more } = result.value;
      heading.textContent = t(titleKey, { n: more ? `${items.length}+` : items.length });
      body.replaceChildren(
        items.length
          ? h("ul", { class: "bd-list", id: listId }, items.map(item))
          : h("p", { class: "muted", id: listId }, t(emptyKey)),
        ...(more ? [h("p", { class: "muted small" }, t(moreKey, { n: items.length }))] : []),
      );
    },
  };
}

function progress(round) {
  const total = round.total || 0;
  const visited = round.visited || 0;
  const bar = h(
    "div",
    { class: round.now_state === "overdue" ? "progress bd-late" : "progress", "aria-hidden": "true" },
    h("span", {}),
  );
  bar.firstChild.style.width = `${total ? Math.round((100 * visited) / total) : 0}%`;
  return h(
    "div",
    { class: "bd-progress" },
    bar,
    h("span", { class: "small" }, t("board.progress", { visited, total })),
  );
}

/** What went wrong, in words: the server's refusal, or that the server could not be reached. */
function why(error) {
  return error?.status === 0 ? t("board.offline") : reason(error);
}

function refuse(answer, error) {
  if (error?.status !== 0) return answer.refused(error);
  answer.className = "answer error";
  answer.textContent = t("board.offline");
}

/** The words for a code (a flag, a category); an unknown code shows as it is. */
function word(prefix, code) {
  const key = `${prefix}.${code}`;
  const text = t(key);
  return text === key ? code : text;
}
