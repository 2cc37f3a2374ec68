/* ticks.js — the page's axes' ticks and their labels, the mirror of the
 * terminal's viz/plot_ticks.c (where the ticks of an axis go and how they
 * are labelled: 1-2-5 steps on linear axes, relative to an offset when
 * far from zero against their span; 1-2-5 and decades on log axes) and of
 * viz/plot_draw.c's tick_markup and offset_markup (how a label and an
 * axis's offset are drawn): figure_svg.js draws the figure's axes with
 * them (window.agreplTicks). */
'use strict';
(function () {
  function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;'); }

  /* about n ticks over [lo, hi] at 1, 2 or 5 times a power of ten (at
   * least 1 for integers: steps), as the terminal's plot_linear_ticks: tick
   * i is (first + i) × step, kept with them (ts.first, ts.step) for their
   * labels' offset */
  function ticks(lo, hi, n, integers) {
    if (!(hi > lo)) { hi = lo + 1; lo -= 1; }
    if (n < 2) n = 2;
    /* the power of ten as the decimal reads (Math.pow(10, -4) is not 1e-4: a
     * step of 1e-4 went to exponent form, the terminal's not) */
    var raw = (hi - lo) / n, p = ten(Math.floor(Math.log10(raw))), m = raw / p;
    var step = (m < 1.5 ? 1 : m < 3 ? 2 : m < 7 ? 5 : 10) * p, out = [];
    if (integers && step < 1) step = 1;
    /* at least two labels, as the terminal's: a narrow map over [-1.5, 1.5]
     * had a step of 2 and only "0" */
    for (var k = 0; k < 4 && Math.floor(hi / step + 1e-9) - Math.ceil(lo / step - 1e-9) < 1; k++) {
      var mag = ten(Math.floor(Math.log10(step) + 1e-9)), r = step / mag;
      var smaller = r < 1.5 ? mag / 2 : r < 3 ? mag : 2 * mag;
      if (integers && smaller < 1) break;
      step = smaller;
    }
    var first = Math.ceil(lo / step - 1e-9);
    for (var i = 0; i < 64; i++) {
      var t = (first + i) * step;
      if (t > hi + step * 1e-9) break;
      out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    out.first = first;
    out.step = step;
    return out;
  }
  /* A log axis's ticks (log10 of the values, lo..hi): 1, 2 and 5 times the
   * powers of ten, as the terminal marks them (and 3 when those are fewer
   * than three), or the powers alone when those would be more than 8; a
   * range with fewer than two of them gets its values' own ticks at their
   * logs, their labels (and offset) with them (.labels), as the terminal's
   * plot_log_ticks. */
  function logTicks(lo, hi, n) {
    function at(mantissas) {
      var out = [];
      for (var e = Math.floor(lo); e <= Math.ceil(hi); e++)
        mantissas.forEach(function (m) { var t = e + Math.log10(m); if (t >= lo - 1e-9 && t <= hi + 1e-9) out.push(t); });
      return out;
    }
    var out = at([1, 2, 5]);
    if (out.length > 8) { /* the decades, every `step`th of them when more than 8 */
      var step = Math.max(1, Math.ceil((Math.floor(hi + 1e-9) - Math.ceil(lo - 1e-9) + 1) / 8));
      out = at([1]).filter(function (t) { return Math.round(t) % step === 0; });
    }
    if (out.length < 3) out = at([1, 2, 3, 5]).sort(function (a, b) { return a - b; });
    if (out.length >= 2) return out;
    var values = ticks(Math.pow(10, lo), Math.pow(10, hi), n), labels = linearLabels(values, Math.pow(10, lo), Math.pow(10, hi));
    out = [];
    out.labels = [];
    values.forEach(function (v, i) { if (v > 0) { out.push(Math.log10(v)); out.labels.push(labels[i]); } });
    out.labels.offset = labels.offset;
    out.labels.scale = labels.scale;
    return out;
  }
  /* a log axis's labels, in one style as the terminal's: plain decimals
   * when every one is from 0.001 to 9000, else all as 1e-4, 2e-5 */
  function logLabels(ts) {
    if (ts.labels) return ts.labels;
    var vs = ts.map(function (t) { return +Math.pow(10, t).toPrecision(6); });
    var plain = vs.every(function (v) { return v >= 1e-3 && v <= 9000; });
    return vs.map(function (v) { return plain ? String(v) : v.toExponential().replace('e+', 'e'); });
  }
  /* An axis's offset, as the terminal's (viz/plot_ticks.c, find_offset:
   * matplotlib's ScalarFormatter rule, offset_threshold 4) on the ticks
   * lowN × 10^k .. highN × 10^k, whole numbers so every division is exact:
   * { q, oom } for q × 10^oom with the ticks' sign, or null.  Ticks of both
   * signs get none; oom is the lowest power of ten down to which the
   * smallest and largest agree (or, straddling a multiple of a larger one,
   * are at most one apart), the offset those digits when at least 4. */
  function ten(e) { return Number('1e' + e); }
  function scaled(a, e) { return e >= 0 ? a * ten(e) : a / ten(-e); }
  function digitsFrom(a, d) {
    for (; d > 0 && a > 0; d--) a = (a - a % 10) / 10;
    for (; d < 0; d++) a *= 10;
    return a;
  }
  function findOffset(lowN, highN, k) {
    if (lowN <= 0 && highN >= 0) return null;
    var small = lowN > 0 ? lowN : -highN, large = lowN > 0 ? highN : -lowN;
    if (large >= 1e17) return null;
    var top = k + String(large).length, j = top;
    while (digitsFrom(small, j - k) === digitsFrom(large, j - k)) j--;
    var at = j + 1;
    if ((large - small) * 100 <= ten(at - k)) {
      j = top;
      while (digitsFrom(large, j - k) - digitsFrom(small, j - k) <= 1) j--;
      at = j + 1;
    }
    var q = digitsFrom(large, at - k);
    return q >= 1000 ? { q: q, oom: at } : null;
  }
  /* the offset as the axis's end writes it: "+0.99999", "-1000", "+1.2345e7" */
  function offsetText(negative, q, oom) {
    var sign = negative ? '-' : '+', value = scaled(q, oom);
    if (value >= 1e-4 && value < 1e6) {
      var t = value.toFixed(oom < 0 ? -oom : 0);
      return sign + (t.indexOf('.') >= 0 ? t.replace(/0+$/, '').replace(/\.$/, '') : t);
    }
    while (q % 10 === 0) { q /= 10; oom++; }
    var decimals = String(q).length - 1;
    return sign + scaled(q, -decimals).toFixed(decimals) + 'e' + (oom + decimals);
  }
  /* A linear axis's labels in one style, as the terminal's
   * (viz/plot_ticks.c): the decimals its step needs, or, when the axis
   * reaches 1e6 or steps under 1e-4, every one in exponent form with the
   * largest tick's exponent and one count of decimals ("0.5e6", "1.0e6").
   * Ticks far from zero against their span are labelled relative to an
   * offset, in units of 10^scale where they would need exponents: the
   * labels' .offset ("+1000", "" for none) and .scale (0: none). */
  function linearLabels(ts, lo, hi) {
    var out;
    if (!ts.length) { out = []; out.offset = ''; out.scale = 0; return out; }
    var step = ts.step, digit = Math.floor(Math.log10(step) + 1e-9), values = ts, offset = '';
    var exponent = Math.max(Math.abs(lo), Math.abs(hi)) >= 1e6 || step < 1e-4;
    var k = digit, s = Math.round(step / ten(k)), first = ts.first;
    var found = ts.length >= 2 && Math.abs(first) + ts.length < 1e14 ? findOffset(first * s, (first + ts.length - 1) * s, k) : null;
    if (found) { /* each tick less the offset, exactly: a whole number × 10^e */
      var negative = first < 0, e = Math.min(k, found.oom), whole = digitsFrom(found.q, e - found.oom);
      values = ts.map(function (t, i) {
        var n = digitsFrom((first + i) * s * (negative ? -1 : 1), e - k);
        return scaled((n - whole) * (negative ? -1 : 1), e);
      });
      offset = offsetText(negative, found.q, found.oom);
    }
    var biggest = Math.max.apply(null, values.map(Math.abs));
    if (found) exponent = biggest >= 1e6 || step < 1e-4;
    var power = biggest > 0 ? Math.floor(Math.log10(biggest) + 1e-9) : 0;
    out = values.map(function (v) {
      if (v === 0) return '0';
      if (!exponent) return v.toFixed(Math.max(0, -digit));
      var mantissa = power >= 0 ? v / Math.pow(10, power) : v * Math.pow(10, -power);
      return mantissa.toFixed(Math.min(15, Math.max(0, power - digit))) + (found ? '' : 'e' + power);
    });
    out.offset = offset;
    out.scale = found && exponent ? power : 0;
    return out;
  }
  /* A tick label as the terminal draws it (viz/plot_draw.c, tick_markup):
   * "2e4" as 2×10⁴, "1e-3" as 10 with a superscript -3 on a log axis
   * (decades) and 1×10⁻³ on a linear one, a leading '-' as a real minus
   * sign.  SVG text; data-label keeps the plain form. */
  function tickText(text, decades) {
    var minus = '\u2212', e = text.indexOf('e'), m = e < 0 ? text : text.slice(0, e), negative = m[0] === '-';
    if (negative) m = m.slice(1);
    if (e < 0) return (negative ? minus : '') + esc(m);
    var x = text.slice(e + 1), below = x[0] === '-';
    if (below || x[0] === '+') x = x.slice(1);
    return (negative ? minus : '') + (decades && m === '1' ? '' : esc(m) + '\u00d7') + '10<tspan dy="-6" font-size="9">' +
           (below ? minus : '') + esc(x) + '</tspan>';
  }
  /* What an axis's end says of its labels' offset and scale, as the
   * terminal's (viz/plot_draw.c, offset_markup): "×10⁻⁶ + 0.99999", "+1000";
   * SVG text, "" for none; plain: its width's text. */
  function offsetMarkup(labels, plain) {
    var minus = '\u2212', o = labels.offset || '', negative = o[0] === '-', value = o ? o.slice(1) : '';
    var sign = negative ? minus : '+';
    if (plain) return (labels.scale ? '\u00d710' + labels.scale + (value ? ' + ' : '') : value ? sign : '') + value;
    if (labels.scale) {
      var scale = '\u00d710<tspan dy="-6" font-size="9">' + (labels.scale < 0 ? minus : '') + Math.abs(labels.scale) + '</tspan>';
      return value ? scale + '<tspan dy="6"> ' + sign + ' ' + tickText(value) + '</tspan>' : scale;
    }
    return value ? sign + tickText(value) : '';
  }

  window.agreplTicks = {
    ticks: ticks, logTicks: logTicks, logLabels: logLabels, linearLabels: linearLabels, tickText: tickText,
    offsetMarkup: offsetMarkup
  };
})();
