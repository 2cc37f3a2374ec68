/* lines_kept.js — a figure's lines as the page keeps them between the
 * figures a loop hands over (every 250 ms, repl/display.c).  The session
 * sends each series and path with only the points added since, "from" the
 * count the page has (plot_web.c, sent_from); the page joins them to what
 * it kept, at the cost of what came, not of the whole line.
 *
 * A series by step (plot(v) in a loop) longer than RAW_MAX is kept thinned,
 * as the terminal draws one (viz/plot_data.c: per pixel column the first,
 * lowest, highest and last point): its steps go in buckets of `size` steps
 * (a power of two), each keeping its first and last point, its lowest and
 * highest value and its lowest above 0 (a log scale's); past MAX_BUCKETS
 * buckets, neighbours merge and size doubles.  A bucket spans under half a
 * unit of the panel's 460 (figure_svg.js), so the drawing, which keeps the
 * same four points per column, looks the same; and an endless loop that
 * plots keeps at most 5 * MAX_BUCKETS points a series, where the whole
 * series grew the page's memory by gigabytes and each redraw's cost with it
 * until the page stopped answering, Stop included.
 *
 * A kept series: values (null where the session sent no number), steps
 * (each value's step; null while not thinned: value i is step i), count
 * (the series' steps, thinned or not).  Paths and the series of
 * plot(xs, ys) are kept whole. */
'use strict';
(function () {
  var RAW_MAX = 16384, MAX_BUCKETS = 2048;

  /* one step's point into a bucket: [step, value] */
  function bucketOf(step, v) {
    var p = [step, v], finite = v !== null && isFinite(v);
    return { first: p, last: p, lo: finite ? p : null, hi: finite ? p : null, lowPositive: finite && v > 0 ? p : null };
  }
  function lower(a, b) { return !a ? b : !b ? a : b[1] < a[1] ? b : a; }
  function higher(a, b) { return !a ? b : !b ? a : b[1] > a[1] ? b : a; }
  /* b's points after a's, into a */
  function merge(a, b) {
    a.last = b.last;
    a.lo = lower(a.lo, b.lo);
    a.hi = higher(a.hi, b.hi);
    a.lowPositive = lower(a.lowPositive, b.lowPositive);
  }
  function add(kept, step, v) {
    var buckets = kept.buckets, last = buckets[buckets.length - 1];
    if (last && Math.floor(last.first[0] / kept.size) === Math.floor(step / kept.size)) merge(last, bucketOf(step, v));
    else buckets.push(bucketOf(step, v));
    if (buckets.length > MAX_BUCKETS) { /* neighbours merged: buckets of twice the steps */
      var merged = [];
      for (var i = 0; i < buckets.length; i++) {
        var b = buckets[i], next = buckets[i + 1];
        if (next && Math.floor(b.first[0] / (2 * kept.size)) === Math.floor(next.first[0] / (2 * kept.size))) {
          merge(b, next);
          i++;
        }
        merged.push(b);
      }
      kept.buckets = merged;
      kept.size *= 2;
    }
  }
  /* the buckets' points in step order, each once, into s.values and s.steps */
  function spread(s) {
    var values = [], steps = [];
    s.kept.buckets.forEach(function (b) {
      [b.first, b.lo, b.hi, b.lowPositive, b.last].filter(function (p) { return p; })
        .sort(function (p, q) { return p[0] - q[0]; })
        .forEach(function (p, i, all) {
          if (i && p === all[i - 1]) return;
          if (i && p[0] === all[i - 1][0]) return;
          steps.push(p[0]);
          values.push(p[1]);
        });
    });
    s.values = values;
    s.steps = steps;
  }
  /* s's raw values (steps 0..) into buckets */
  function thin(s) {
    s.kept = { size: 1, buckets: [] };
    while (Math.ceil(s.values.length / s.kept.size) > MAX_BUCKETS) s.kept.size *= 2;
    s.values.forEach(function (v, i) { add(s.kept, i, v); });
  }

  /* array's items after its first `from` (all when from > its length),
   * then more's; array is changed when it is `from` long */
  function appended(array, from, more) {
    array = array.length === from ? array : array.slice(0, from);
    for (var i = 0; i < more.length; i++) array.push(more[i]);
    return array;
  }

  /* A series by step as the session sent it, joined to the one the last
   * figure had at its place (before: undefined when none) and thinned when
   * long. */
  function joinSeries(before, s) {
    var from = s.from || 0, added = s.values;
    if (from && before && before.kept && before.count === from) { /* thinned: the new steps into its buckets */
      s.kept = before.kept;
      for (var i = 0; i < added.length; i++) add(s.kept, from + i, added[i]);
      s.count = from + added.length;
      spread(s);
      return;
    }
    if (from && before && !before.kept) s.values = appended(before.values, from, added);
    s.count = s.values.length;
    s.steps = null;
    if (s.count > RAW_MAX) {
      thin(s);
      spread(s);
    }
  }

  /* line's keys joined to the points kept before */
  function joinWhole(before, line, keys) {
    if (!line.from) return;
    keys.forEach(function (key) {
      if (line[key] !== null) line[key] = appended(before && before[key] ? before[key] : [], line.from, line[key]);
    });
  }

  /* f's series and paths joined to those of last (the figure handed over
   * before, null for none or for a file's whole figure), in place */
  function join(f, last) {
    f.series.forEach(function (s, i) {
      var before = last && last.series[i];
      if (s.xs) joinWhole(before, s, ['values', 'xs']);
      else joinSeries(before && !before.xs ? before : undefined, s);
    });
    f.paths.forEach(function (p, i) { joinWhole(last && last.paths[i], p, ['xs', 'ys']); });
  }

  window.agreplLinesKept = { join: join, RAW_MAX: RAW_MAX, MAX_BUCKETS: MAX_BUCKETS };
})();
