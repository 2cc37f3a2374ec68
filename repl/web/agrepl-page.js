/* agrepl-page.js — the page: a console in front of the session, which runs
 * in a worker (agrepl-worker.js); show(y)'s graph (the HTML the session makes
 * from its DOT, drawn by @viz-js/viz, with the notebook's click script) with
 * zoom and pan; the figure drawn as SVG from the data the session recorded
 * (figure_svg.js draws it; the page lays it out, redraws it and saves it);
 * files kept in the browser.
 *
 * Ctrl-C: where the page is cross-origin isolated (sw.js adds the headers on
 * any static server over http), a flag in a SharedArrayBuffer the running
 * statement reads at every statement boundary stops it with every name kept.
 * Where it cannot be (a page opened from disk), Stop ends the worker and
 * starts another that runs the session's statements again (said so).
 * Opened from disk (file://), where Chromium starts no Worker from a file,
 * the worker is made from a Blob of agrepl-file.js's strings. */
'use strict';
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var output = $('output'), input = $('input'), prompt = $('prompt');
  var worker = null, flag = null, running = false, ready = false;
  var pending = '';            /* lines of an unfinished statement */
  var log = [];                /* what ran without error, for a restart */
  var history = [];
  try { history = JSON.parse(localStorage.getItem('agrepl-history') || '[]'); } catch (e) { history = []; }
  var historyAt = history.length, draft = '';
  var lastFigure = null, queue = [];
  window.agrepl = { ready: false, readyMs: null, runs: 0, isolated: false };

  /* ---- output ---------------------------------------------------------- */
  /* An error's echoed line and its caret line go in a span of their own
   * (.code) that wraps at any character, as a terminal wraps: both rows of
   * a long statement then break at the same column and the caret stays
   * under its character, not pushed to the start of a row by the spaces. */
  function say(text, kind) {
    if (waiting.length) sayWaiting(); /* the worker's text before the page's own */
    if (kind === 'err' && text.indexOf('^') >= 0) {
      var pieces = text.match(/[^\n]*\n|[^\n]+$/g) || [];
      for (var i = 0; i < pieces.length; i++) {
        var last = output.lastChild;
        if (/^[ \t]*\^\n?$/.test(pieces[i]) && last && last.className === 'err' &&
            /\n[^\n]*\n$|^[^\n]*\n$/.test(last.textContent)) {
          var t = last.textContent, cut = t.lastIndexOf('\n', t.length - 2) + 1;
          last.textContent = t.slice(0, cut);
          if (!last.textContent) output.removeChild(last);
          var code = document.createElement('span');
          code.className = 'err code';
          code.textContent = t.slice(cut) + pieces[i];
          output.appendChild(code);
          output.scrollTop = output.scrollHeight;
        } else sayText(pieces[i], kind);
      }
      return;
    }
    sayText(text, kind);
  }

  /* The console keeps its last OUTPUT_LINES lines, as a terminal keeps its
   * scrollback: a loop printing without end must not grow the page until it
   * stops answering (Stop included). */
  var OUTPUT_LINES = 10000, outputLines = 0;
  function newlines(text) {
    var n = 0;
    for (var i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
    return n;
  }
  /* text from the start of its last `keep` lines (the last one may lack its newline) */
  function lastLinesOf(text, keep) {
    var cut = text.length - 1; /* a newline at the very end closes the last line */
    for (var k = 0; k < keep && cut >= 0; k++) cut = cut > 0 ? text.lastIndexOf('\n', cut - 1) : -1;
    return cut < 0 ? text : text.slice(cut + 1);
  }
  function keepScrollback(text) {
    var n = newlines(text);
    if (n > OUTPUT_LINES) { /* only its last lines would be kept */
      text = lastLinesOf(text, OUTPUT_LINES);
      n = newlines(text);
    }
    outputLines += n;
    /* the oldest pieces dropped, and of the one that crosses the bound its
     * first lines: a piece may hold a thousand lines when the machine is
     * busy (the worker sends what gathered in 50 ms), and whole pieces only
     * kept up to 11,000 */
    while (outputLines > OUTPUT_LINES && output.firstChild && output.firstChild !== output.lastChild) {
      var first = newlines(output.firstChild.textContent), excess = outputLines - OUTPUT_LINES;
      if (first <= excess) {
        output.removeChild(output.firstChild);
        outputLines -= first;
      } else {
        var piece = output.firstChild.textContent, cut = -1;
        for (var k = 0; k < excess; k++) cut = piece.indexOf('\n', cut + 1);
        output.firstChild.textContent = piece.slice(cut + 1);
        outputLines -= excess;
      }
    }
    return text;
  }

  function sayText(text, kind) {
    text = keepScrollback(text);
    var atEnd = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
    /* a span each piece, a line cut between two pieces continuing inline:
     * the scrollback drops whole spans */
    var span = document.createElement('span');
    span.className = kind || 'out';
    span.textContent = text;
    output.appendChild(span);
    if (atEnd) output.scrollTop = output.scrollHeight;
  }

  /* ---- the worker ------------------------------------------------------ */
  function start(replay) {
    ready = false;
    input.disabled = true;
    if (location.protocol === 'file:' && !window.agreplWorkerSources) {
      /* opened from disk: Chromium starts no Worker from a file, but a
       * <script> may load one, and a Worker may run a Blob */
      var s = document.createElement('script');
      s.src = 'agrepl-file.js';
      s.onload = function () { start(replay); };
      s.onerror = function () { say('agrepl could not start: agrepl-file.js is missing beside this page (make web writes it)\n', 'err'); };
      document.head.appendChild(s);
      return;
    }
    worker = window.agreplEarlyWorker && !replay ? window.agreplEarlyWorker : window.agreplWorkerSources ?
      new Worker(URL.createObjectURL(new Blob(window.agreplWorkerSources.map(function (t) { return t + '\n;\n'; }),
                                              { type: 'text/javascript' }))) :
      new Worker('agrepl-worker.js');
    window.agrepl.blobWorker = !!window.agreplWorkerSources;
    flag = window.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
    window.agrepl.isolated = !!flag;
    worker.onmessage = function (event) { receive(event.data, replay); };
    worker.onerror = function (e) { say('agrepl could not start: ' + (e.message || e) + '\n', 'err'); };
    worker.postMessage({ type: 'init', flag: flag });
  }

  /* The worker's text is put in the console once a frame, all that came
   * since in one piece of each kind: each addition lays the console out
   * again, and the worker can send faster than that.  Any other message
   * puts the text waiting first, so everything shows in order. */
  var waiting = [], waitingLines = 0, frame = 0;
  function sayLater(text, kind) {
    var last = waiting[waiting.length - 1], n = newlines(text);
    if (last && last.kind === kind) {
      last.text += text;
      last.lines += n;
    } else {
      waiting.push({ text: text, kind: kind, lines: n });
    }
    waitingLines += n;
    /* a hidden page draws no frames: what waits keeps the last lines the
     * console would keep, the earliest pieces dropped or cut */
    if (waitingLines > 2 * OUTPUT_LINES) {
      while (waiting.length > 1 && waitingLines - waiting[0].lines >= OUTPUT_LINES)
        waitingLines -= waiting.shift().lines;
      var first = waiting[0], keep = Math.max(OUTPUT_LINES - (waitingLines - first.lines), 0);
      if (first.lines > keep) {
        first.text = lastLinesOf(first.text, keep);
        waitingLines += newlines(first.text) - first.lines;
        first.lines = newlines(first.text);
      }
    }
    if (!frame) frame = requestAnimationFrame(sayWaiting);
  }
  function sayWaiting() {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    var pieces = waiting;
    waiting = [];
    waitingLines = 0;
    pieces.forEach(function (p) { say(p.text, p.kind); });
  }

  function receive(m, replay) {
    if (m.type === 'text') {
      window.agrepl.textMessages = (window.agrepl.textMessages || 0) + 1; /* the tests count them */
      if (!(replay && replay.quiet)) sayLater(m.text, m.stream === 2 ? 'err' : 'out');
      return;
    }
    sayWaiting();
    if (m.type === 'display') {
      display(m);
    } else if (m.type === 'figure-bytes') {
      window.agreplPictures.keep(m);
    } else if (m.type === 'savefig') {
      if (!(replay && replay.quiet)) /* a statement run again after Stop made its file the first time */
        made(m.name, function (done) { figureFile(wholeFigure(JSON.parse(m.figure)), m.name, done); });
      else window.agreplPictures.resolve(JSON.parse(m.figure), false); /* its bytes taken, not kept */
    } else if (m.type === 'render') {
      if (!(replay && replay.quiet)) made(m.name, function (done) { pngOfSvg(m.svg, 1, done); });
    } else if (m.type === 'ready') {
      ready = true;
      window.agrepl.ready = true;
      window.agrepl.readyMs = performance.now();
      window.agrepl.stages = m.stages; /* the worker's start, step by step (bench/web_bench.py) */
      if (replay && replay.statements.length) {
        replay.statements.forEach(function (s, i) {
          worker.postMessage({ type: 'run', src: s, lesson: i === 0 && s === lessonText });
        });
        replay.left = replay.statements.length;
        running = true;
        return;
      }
      afterStart();
    } else if (m.type === 'done') {
      if (replay && replay.left > 0) {
        if (--replay.left === 0) {
          replay.quiet = false;
          var n = replay.statements.length;
          say('(the session was started again and its ' + (n === 1 ? 'statement' : n + ' statements') +
              ' run again: every name is back)\n', 'note');
          finish();
        }
        return;
      }
      ran(m);
    } else if (m.type === 'viz-ready') {
      window.agrepl.vizReady = true;
    } else if (m.type === 'completions') {
      complete(m);
    } else if (m.type === 'files') {
      showFiles(m.files, m.quiet);
      if (m.note) say(m.note + '\n', 'note');
    } else if (m.type === 'file') {
      download(new Blob([m.bytes]), m.name);
    } else if (m.type === 'error') {
      say('agrepl: ' + m.text + '\n', 'err');
    }
  }

  function afterStart() {
    say('agrepl in the browser: the same language as the terminal. :help for help, :lessons for the lessons, ' +
        'Tab completes, Ctrl-C stops a statement.\n', 'note');
    var start = $('agrepl-start').textContent;
    if (start.trim()) {
      say(':load (this page\'s lesson)\n', 'in');
      lessonText = start;
      submitText(start, true);
    } else {
      finish();
    }
  }

  function finish() {
    running = false;
    $('stop').disabled = true;
    input.disabled = false;
    input.focus();
    if (queue.length) submitText(queue.shift());
  }

  function ran(m) {
    window.agrepl.runs++;
    window.agrepl.lastMs = m.ms;
    window.agrepl.lastRc = m.rc; /* 0: it ran without an error (the tests read it) */
    if (m.rc === 2) {            /* inside an open bracket: another line */
      pending = m.src !== undefined ? m.src : pending;
      prompt.textContent = '..> ';
    } else {
      if (m.rc === 0) log.push(current);
      pending = '';
      prompt.textContent = 'ag> ';
    }
    if (m.rc === 3) say('(:quit: reload the page to start again)\n', 'note');
    (m.written || []).forEach(function (n) { if (madeNow.indexOf(n) < 0) delete madeFiles[n]; }); /* the session wrote it since */
    var names = (m.written || []).concat(madeNow.filter(function (n) { return (m.written || []).indexOf(n) < 0; }));
    madeNow = [];
    if (names.length) offer(names);
    finish();
    if (m.files) showFiles(m.files, true);
  }

  /* a save gives a download: each file a statement wrote, as a link */
  function offer(names) {
    var line = document.createElement('span');
    line.className = 'note saved';
    line.appendChild(document.createTextNode('saved in this browser: '));
    names.forEach(function (n, i) {
      if (i) line.appendChild(document.createTextNode(', '));
      var a = document.createElement('a');
      a.href = '#';
      a.textContent = n;
      a.title = 'download ' + n;
      a.onclick = function (e) { e.preventDefault(); fetchFile(n); };
      line.appendChild(a);
    });
    line.appendChild(document.createTextNode(' (click to download)\n'));
    output.appendChild(line);
    output.scrollTop = output.scrollHeight;
  }

  /* Files the page makes itself, the session having no Cairo: savefig's
   * figure and render's .png (drawn by the browser from SVG).  Each is
   * offered with the statement's other files when it ends, its bytes put in
   * the session's files once drawn, and a click downloads what was drawn
   * here (the session may still be running a lesson). */
  var madeFiles = {}, madeNow = [];
  function made(name, draw) {
    var file = madeFiles[name] = { blob: null, wanted: false };
    if (madeNow.indexOf(name) < 0) madeNow.push(name);
    draw(function (blob, why) {
      if (madeFiles[name] !== file) return; /* a newer file of that name came since */
      if (!blob) { say(name + ': the page could not draw it (' + why + ')\n', 'err'); delete madeFiles[name]; return; }
      file.blob = blob;
      blob.arrayBuffer().then(function (bytes) { worker.postMessage({ type: 'put', name: name, bytes: bytes, made: true }, [bytes]); });
      if (file.wanted) download(blob, name);
    });
  }
  function fetchFile(name) {
    var file = madeFiles[name];
    if (!file) worker.postMessage({ type: 'get', name: name });
    else if (file.blob) download(file.blob, name);
    else file.wanted = true;
  }

  var current = '', lessonText = null; /* the page's own lesson (agrepl --web-lesson) */
  function submitText(text, lesson) {
    if (running) { queue.push(text); return; }
    current = text;
    running = true;
    input.disabled = false;
    $('stop').disabled = false;
    worker.postMessage({ type: 'run', src: text, lesson: !!lesson });
  }

  function submit() {
    var line = input.value;
    input.value = '';
    fit();
    say(prompt.textContent + line + '\n', 'in');
    if (line.trim() && history[history.length - 1] !== line) {
      history.push(line);
      if (history.length > 500) history.shift();
      try { localStorage.setItem('agrepl-history', JSON.stringify(history)); } catch (e) { /* private mode */ }
    }
    historyAt = history.length;
    var text = pending ? pending + '\n' + line : line;
    if (!text.trim()) return;
    pending = text;
    submitText(text);
  }

  function interrupt() {
    if (!running) return;
    if (flag) {
      Atomics.store(flag, 0, 1);
      return;
    }
    /* no shared memory here: a new worker, the session's statements again */
    worker.terminate();
    say('interrupted\n', 'err');
    say('(this page is not cross-origin isolated, so Stop restarts the session)\n', 'note');
    pending = '';
    prompt.textContent = 'ag> ';
    start({ statements: log.slice(), quiet: true, left: 0 });
  }

  /* ---- the input line ---------------------------------------------------- */
  function fit() {
    input.rows = Math.max(1, input.value.split('\n').length);
  }

  input.addEventListener('input', fit);
  input.addEventListener('keydown', function (e) {
    if (e.key !== 'Tab' && e.key !== 'Shift') tabbedAt = null; /* Readline's second Tab is the very next key */
    if (e.key === 'c' && e.ctrlKey && !e.shiftKey) {
      if (running) { interrupt(); e.preventDefault(); return; }
      if (input.selectionStart === input.selectionEnd) {
        say(prompt.textContent + input.value + '^C\n', 'in');
        input.value = '';
        pending = '';
        prompt.textContent = 'ag> ';
        e.preventDefault();
      }
      return;
    }
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      if (ready && !running) submit();
      return;
    }
    if (e.key === 'Tab') {
      e.preventDefault();
      if (tabbedAt !== input.value + '\u0000' + input.selectionStart) tabbedAt = null;
      if (ready && !running)
        worker.postMessage({ type: 'complete', line: input.value, end: input.selectionStart });
      return;
    }
    var before = input.value.slice(0, input.selectionStart);
    if (e.key === 'ArrowUp' && before.indexOf('\n') < 0 && historyAt > 0) {
      if (historyAt === history.length) draft = input.value;
      input.value = history[--historyAt];
      fit();
      e.preventDefault();
    } else if (e.key === 'ArrowDown' && input.value.slice(input.selectionEnd).indexOf('\n') < 0 &&
               historyAt < history.length) {
      historyAt++;
      input.value = historyAt === history.length ? draft : history[historyAt];
      fit();
      e.preventDefault();
    }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'c' && e.ctrlKey && running && document.activeElement !== input) interrupt();
  });
  $('stop').addEventListener('click', interrupt);

  /* Tab as the terminal's Readline: one candidate replaces the word;
   * several fill what they share; when there is nothing to fill a first
   * Tab only flashes the line (Readline's bell) and a second lists them in
   * columns, sorted down, with the prompt and the typed text again under
   * them.  A Tab again with nothing printed since lists nothing more. */
  var tabbedAt = null, listed = null;
  function complete(m) {
    if (input.value !== m.line) return;
    var words = m.words, line = m.line, end = m.end, key = line + '\u0000' + end;
    var again = tabbedAt === key;
    tabbedAt = null;
    if (!words.length) { bell(); return; }
    var shared = words.reduce(function (a, w) {
      var i = 0;
      while (i < a.length && i < w.length && a[i] === w[i]) i++;
      return a.slice(0, i);
    });
    var put = words.length === 1 ? words[0] : shared;
    /* the session's candidates are whole words ("x.backward", ":load"): the
     * word they replace is the longest end of the line that starts them */
    var start = end;
    for (var s = 0; s <= end; s++)
      if (words[0].indexOf(line.slice(s, end)) === 0) { start = s; break; }
    if (put.length > end - start || (words.length === 1 && put !== line.slice(start, end))) {
      input.value = line.slice(0, start) + put + line.slice(end);
      input.selectionStart = input.selectionEnd = start + put.length;
      fit();
      return;
    }
    if (words.length === 1) return;
    if (!again) { tabbedAt = key; bell(); return; }
    tabbedAt = key;
    if (listed && listed.key === key && output.lastChild === listed.node) return;
    say(columns(words.slice().sort()), 'out');
    say(prompt.textContent + line + '\n', 'in');
    listed = { key: key, node: output.lastChild };
  }
  /* Readline's listing: columns two wider than the longest word, as many as
   * the console's width holds, the words sorted down each column. */
  function columns(words) {
    var longest = words.reduce(function (a, w) { return Math.max(a, w.length); }, 0) + 2;
    var probe = document.createElement('span');
    probe.textContent = 'MMMMMMMMMM';
    probe.style.visibility = 'hidden';
    output.appendChild(probe);
    var char = probe.getBoundingClientRect().width / 10 || 8;
    output.removeChild(probe);
    var across = Math.max(1, Math.floor((output.clientWidth - 16) / char / longest));
    var down = Math.ceil(words.length / across), text = '';
    for (var r = 0; r < down; r++) {
      var row = '';
      for (var c = 0; c < across && r + c * down < words.length; c++) {
        var w = words[r + c * down];
        row += r + (c + 1) * down < words.length ? w + ' '.repeat(longest - w.length) : w;
      }
      text += row + '\n';
    }
    return text;
  }
  function bell() {
    input.classList.remove('bell');
    void input.offsetWidth; /* the flash again for a second Tab */
    input.classList.add('bell');
  }

  /* ---- the graph --------------------------------------------------------- */
  var graph = $('graph'), view = { scale: 1, x: 0, y: 0 }, graphId = null;
  /* the drawing's smallest text and the legend pinned in the pane (graph_fit.js) */
  var GraphFit = window.agreplGraphFit;
  function place() {
    var g = graph.querySelector('.agrepl-graph');
    if (g) g.style.transform = 'translate(' + view.x + 'px,' + view.y + 'px) scale(' + view.scale + ')';
    window.agrepl.legendPinned = GraphFit.pinLegend(graph, shownView(), view.scale, fitted);
  }
  /* The shown drawing's view (its svg), and its node titled name (null:
   * none). */
  function shownView() {
    var g = graph.querySelector('.agrepl-graph');
    return g && g.querySelector('.agrepl-view:not([style*="none"])');
  }
  function nodeTitled(v, name) {
    var found = null;
    if (name) v.querySelectorAll('g.node, g.cluster').forEach(function (n) {
      var t = n.querySelector('title');
      if (t && t.textContent === name) found = n;
    });
    return found;
  }
  /* The drawing placed in the pane: whole when its smallest text (its
   * boxes', frames' and edges', not the legend's key: graph_fit.js) is then
   * at least READABLE px (at most 1.5 times its size); else at READABLE px,
   * centred on focus (a node or group's title; the output's node when none
   * is given), as the graph window and the notebook open a big graph.  A
   * graph of at most SMALL_GRAPH boxes opens whole down to SMALL_READABLE
   * px (the 9 px under which the terminal calls a PNG's text too small):
   * its whole is one glance, and cropped at 12 px the README's first graph
   * (seven boxes) lost x off the top of a 1366x768 window's 268 px-high
   * pane for text 1.25 times bigger; a big graph's boxes are too many to
   * read at 9 px, so it opens at 12 px on its output.
   * whole (the 0 button): the whole drawing, however small. */
  var READABLE = 12, SMALL_GRAPH = 8, SMALL_READABLE = 9;
  var fitted = null; /* fitted: how the drawing was last placed, till the user zooms or pans */
  function fitGraph(whole, focus) {
    var v = shownView(), svg = v && v.querySelector('svg');
    if (!svg) return;
    fitted = null; /* the legend's place kept till the view is placed */
    GraphFit.closeLegend();
    view = { scale: 1, x: 0, y: 0 }; /* measured unscaled */
    place();
    var w = svg.getBoundingClientRect().width, h = svg.getBoundingClientRect().height;
    var fit = Math.min(1.5, (graph.clientWidth - 20) / w, (graph.clientHeight - 20) / h);
    var boxes = v.querySelectorAll('g.node').length - (nodeTitled(v, 'legend') ? 1 : 0);
    var floor = boxes <= SMALL_GRAPH ? SMALL_READABLE : READABLE;
    var text = GraphFit.smallestText(svg, view.scale), readable = text > 0 ? READABLE / text : fit;
    if (whole || fit >= readable * floor / READABLE) {
      view.scale = fit;
      view.x = (graph.clientWidth - w * view.scale) / 2;
      view.y = Math.min(10, (graph.clientHeight - h * view.scale) / 2);
      window.agrepl.graphOpened = 'whole';
    } else {
      view.scale = readable;
      var output = v.querySelector('pre[data-output]');
      var n = nodeTitled(v, focus) || nodeTitled(v, output && output.getAttribute('data-node'));
      var root = graph.querySelector('.agrepl-graph');
      view.x = view.y = 0;
      place();
      if (n) { /* the focus's middle at the pane's middle */
        var a = n.getBoundingClientRect(), r = root.getBoundingClientRect();
        var cx = (a.left + a.width / 2 - r.left) / view.scale, cy = (a.top + a.height / 2 - r.top) / view.scale;
        view.x = graph.clientWidth / 2 - cx * view.scale;
        view.y = graph.clientHeight / 2 - cy * view.scale;
      }
      window.agrepl.graphOpened = n ? (n === nodeTitled(v, focus) ? 'focus' : 'output') : 'top left';
      /* no empty pane beyond the drawing's edges */
      view.x = Math.min(10, Math.max(graph.clientWidth - 10 - w * view.scale, view.x));
      view.y = Math.min(10, Math.max(graph.clientHeight - 10 - h * view.scale, view.y));
    }
    fitted = { whole: !!whole, focus: focus, width: graph.clientWidth, height: graph.clientHeight };
    place(); /* the legend's place chosen again (fitted) */
    window.agrepl.graphText = GraphFit.smallestText(svg, view.scale) * view.scale; /* the smallest text's CSS px (the tests read it) */
  }
  /* the pane resized (the plot pane opened or closed): placed again, as
   * it was, unless the user has zoomed or panned since */
  $('legendbutton').addEventListener('click', function () { GraphFit.toggleLegend(); place(); });
  new ResizeObserver(function () {
    if (fitted && (fitted.width !== graph.clientWidth || fitted.height !== graph.clientHeight))
      fitGraph(fitted.whole, fitted.focus);
    else place(); /* the legend kept wholly in the pane's new size */
  }).observe(graph);
  function zoomAt(factor, cx, cy) {
    fitted = null;
    var s = Math.max(0.05, Math.min(8, view.scale * factor));
    view.x = cx - (cx - view.x) * s / view.scale;
    view.y = cy - (cy - view.y) * s / view.scale;
    view.scale = s;
    place();
  }
  graph.addEventListener('wheel', function (e) {
    e.preventDefault();
    var r = graph.getBoundingClientRect();
    zoomAt(e.deltaY < 0 ? 1.15 : 1 / 1.15, e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });
  var drag = null;
  graph.addEventListener('mousedown', function (e) { drag = { x: e.clientX, y: e.clientY, moved: false }; });
  window.addEventListener('mousemove', function (e) {
    if (!drag) return;
    var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    if (!drag.moved) return;
    view.x += dx; view.y += dy; drag.x = e.clientX; drag.y = e.clientY;
    fitted = null;
    place();
  });
  window.addEventListener('mouseup', function () { setTimeout(function () { drag = null; }, 0); });
  graph.addEventListener('click', function (e) { if (drag && drag.moved) e.stopPropagation(); }, true);
  graph.addEventListener('keydown', function (e) {
    var c = { x: graph.clientWidth / 2, y: graph.clientHeight / 2 };
    if (e.key === '+' || e.key === '=') zoomAt(1.25, c.x, c.y);
    else if (e.key === '-') zoomAt(0.8, c.x, c.y);
    else if (e.key === '0') fitGraph(true);
    else if (e.key === 'ArrowLeft') { view.x += 40; fitted = null; place(); }
    else if (e.key === 'ArrowRight') { view.x -= 40; fitted = null; place(); }
    else if (e.key === 'ArrowUp') { view.y += 40; fitted = null; place(); }
    else if (e.key === 'ArrowDown') { view.y -= 40; fitted = null; place(); }
    else return;
    e.preventDefault();
  });
  document.querySelectorAll('[data-zoom]').forEach(function (b) {
    b.addEventListener('click', function () {
      var how = b.getAttribute('data-zoom'), c = { x: graph.clientWidth / 2, y: graph.clientHeight / 2 };
      if (how === 'fit') fitGraph(true); else zoomAt(how === 'in' ? 1.25 : 0.8, c.x, c.y);
    });
  });

  /* the session's HTML for show(y): its SVG views, the inspector's text of
   * every node and the script that shows it on a click (repl/display.c) */
  function display(m) {
    if (m.figure) { drawPlot(m.figure); return; }
    if (!m.html) return;
    var keep = m.update && graphId === m.id;
    var selected = keep && graph.querySelector('.agrepl-graph') ?
      graph.querySelector('.agrepl-graph').getAttribute('data-selected') : null;
    graphId = m.id;
    graph.innerHTML = m.html;
    graph.querySelectorAll('.agrepl-view').forEach(function (v) { /* each view measured shown (graph_fit.js) */
      var hidden = v.style.display;
      v.style.display = '';
      v.querySelectorAll('svg').forEach(function (svg) { window.agreplGraphFit.placeTitles(svg); });
      v.style.display = hidden;
    });
    window.agrepl.graphsShown = (window.agrepl.graphsShown || 0) + 1;
    var root = graph.querySelector('.agrepl-graph');
    var panel = root && root.querySelector('.agrepl-inspector');
    var inspector = $('inspector');
    /* a layer's units' maps come as RGB pixels (no Cairo here): a PNG each */
    graph.querySelectorAll('img.agrepl-maps[data-rgb]').forEach(function (img) {
      var w = +img.getAttribute('data-width'), h = +img.getAttribute('data-height');
      var rgb = atob(img.getAttribute('data-rgb')), rgba = new Uint8ClampedArray(w * h * 4);
      for (var i = 0; i < w * h; i++) {
        rgba[4 * i] = rgb.charCodeAt(3 * i); rgba[4 * i + 1] = rgb.charCodeAt(3 * i + 1);
        rgba[4 * i + 2] = rgb.charCodeAt(3 * i + 2); rgba[4 * i + 3] = 255;
      }
      var canvas = document.createElement('canvas');
      canvas.width = w; canvas.height = h;
      canvas.getContext('2d').putImageData(new ImageData(rgba, w, h), 0, 0);
      img.src = canvas.toDataURL('image/png');
      img.removeAttribute('data-rgb');
    });
    if (panel) { /* what the script puts in its panel (text, and a layer's maps) shows below the graph */
      new MutationObserver(function () {
        inspector.textContent = '';
        panel.childNodes.forEach(function (c) { inspector.appendChild(c.cloneNode(true)); });
        inspector.hidden = !panel.textContent;
        var maps = inspector.querySelector('img.agrepl-maps'); /* a layer's maps in view */
        if (maps) inspector.scrollTop = Math.max(0, maps.offsetTop - inspector.offsetTop - 24);
      }).observe(panel, { childList: true, characterData: true, subtree: true });
    }
    inspector.hidden = true;
    graph.querySelectorAll('script').forEach(function (s) { (new Function(s.textContent))(); });
    graph.scrollTop = graph.scrollLeft = 0;
    if (!keep) fitGraph(false); else place();
    if (selected && root) {
      root.querySelectorAll('g.node').forEach(function (n) {
        var t = n.querySelector('title');
        if (t && t.textContent === selected) n.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      });
    }
  }
  /* a click on a folded group shows the drawing with it open (the script
   * switches views): placed again, on the group just opened */
  graph.addEventListener('click', function (e) {
    var before = shownView(), n = e.target.closest && e.target.closest('g.node'), group = null;
    if (n && before) {
      var t = n.querySelector('title'), pre = null;
      before.querySelectorAll('pre[data-node]').forEach(function (p) {
        if (t && p.getAttribute('data-node') === t.textContent) pre = p;
      });
      group = pre && pre.getAttribute('data-group');
    }
    setTimeout(function () {
      if (shownView() !== before) fitGraph(false, group !== null ? 'cluster_group' + group : null);
    }, 0);
  }, true); /* capture: before the script's own listener switches the views */

  $('graphsvg').addEventListener('click', function () {
    var svg = graph.querySelector('.agrepl-view:not([style*="none"]) svg');
    if (!svg) return;
    svg = svg.cloneNode(true); /* the legend as drawn, not hidden for its pinned copy */
    svg.querySelectorAll('.agrepl-legend-hidden').forEach(function (n) { n.classList.remove('agrepl-legend-hidden'); });
    download(new Blob([new XMLSerializer().serializeToString(svg)], { type: 'image/svg+xml' }), 'graph.svg');
  });

  /* ---- the figure ---------------------------------------------------------- */
  /* the figure as SVG text (figure_svg.js); where its panels went is kept
   * in window.agrepl[keep] (the tests read it: figureAxes as shown,
   * savedAxes as last saved) */
  var FigureSvg = window.agreplFigureSvg, panelsOf = FigureSvg.panelsOf, PANEL_W = FigureSvg.PANEL_W, PANEL_H = FigureSvg.PANEL_H;
  /* a file's figure, every line whole in it: its pictures, its long series thinned */
  function wholeFigure(f) {
    f = window.agreplPictures.resolve(f, false);
    LinesKept.join(f, null);
    f.sheets.forEach(function (sheet) { LinesKept.join(sheet.figure, null); });
    return f;
  }
  function figureSvg(f, across, keep, size) {
    var drawn = FigureSvg.figureSvg(f, across, keep === 'savedAxes', size); /* a file: the terminal's savefig */
    window.agrepl[keep || 'figureAxes'] = drawn.axes;
    return drawn.svg;
  }

  /* figures come as often as a loop plots (every 250 ms, or at the pace):
   * each is drawn at the next frame, the newest when several came in one
   * frame (so at the pace, up to the screen's rate); a contour sent once is
   * kept; each line's new points are joined to those kept (lines_kept.js:
   * a long series kept thinned, so a figure costs what it adds and a redraw
   * what shows, however long the loop runs) */
  var drawPending = false, LinesKept = window.agreplLinesKept;
  var keptContours = {};      /* panel key ('': the figure's own) -> its contour */
  function settle(fig, last, slot) {
    if (fig.contour === 'same') fig.contour = keptContours[slot] || null; else keptContours[slot] = fig.contour;
    LinesKept.join(fig, last);
  }
  function drawPlot(json) {
    /* the figures' JSON text received (the tests and bench/web_plot.py read it: a line's numbers come as bytes) */
    window.agrepl.figureChars = (window.agrepl.figureChars || 0) + json.length;
    var f = window.agreplPictures.resolve(JSON.parse(json), true);
    settle(f, lastFigure, '');
    var keys = {};
    f.sheets.forEach(function (sheet) {
      var before = lastFigure && lastFigure.sheets.filter(function (s) { return s.key === sheet.key; })[0];
      settle(sheet.figure, before && before.figure, sheet.key);
      keys[sheet.key] = true;
    });
    Object.keys(keptContours).forEach(function (k) { if (k && !keys[k]) delete keptContours[k]; });
    lastFigure = f;
    window.agrepl.figuresReceived = (window.agrepl.figuresReceived || 0) + 1;
    /* the points the page keeps of the figure's lines, and the longest series' steps (the tests read them) */
    var kept = 0, steps = 0;
    [f].concat(f.sheets.map(function (sheet) { return sheet.figure; })).forEach(function (g) {
      g.series.forEach(function (s) { kept += s.values.length; steps = Math.max(steps, s.count || s.values.length); });
      g.paths.forEach(function (p) { kept += p.xs.length; });
    });
    window.agrepl.pointsKept = kept;
    window.agrepl.longestSeries = steps;
    redraw();
  }
  /* The figure in the pane, its panels in the columns that show them
   * biggest; where even those leave its text under READABLE_PLOT of its
   * size (a projector at 1280x720), the panels wrap to as many columns as
   * fit at that size and the pane scrolls to the rest.  Such a figure
   * opens on its map (the boundary, the contour with its track: what a
   * lesson moves; the moons lesson's third panel on a 1366x768 laptop)
   * until the user scrolls the pane; from then on the view stays where it
   * was put, until the figure is cleared.  A single panel always fits the
   * pane whole (a scroll would only hide its x axis), and a wrapped figure
   * is never wider than the pane (which hides what runs past its side).
   * A lone series panel (a loss) in a pane too short or narrow for it at
   * PLOT_TEXT px (its ticks' and legend's 12 units) is drawn the pane's
   * shape at that size instead, down to PLOT_MIN units a side: scaled
   * whole into a 268 px-high pane its text was 7.7 px. */
  var READABLE_PLOT = 0.9, EMPTY_PLOT = $('plot').textContent.trim();
  var PLOT_TEXT = 12, PLOT_MIN = { w: 300, h: 200 };
  var plotScrolled = false, plotTop = 0; /* plotTop: where the page itself left the view */
  $('plot').addEventListener('scroll', function () {
    if (Math.abs($('plot').scrollTop - plotTop) > 1) plotScrolled = true;
  });
  /* the scroll that shows the map panel's bottom at the pane's bottom (its
   * top when the pane is lower than the panel), or null without a map */
  function mapScroll(plot, svg, fit) {
    var map = window.agrepl.figureAxes.panels.filter(function (p) { return p.kind === 'map'; })[0];
    if (!map) return null;
    var above = svg.getBoundingClientRect().top - plot.getBoundingClientRect().top + plot.scrollTop;
    var top = above + map.y * fit.scale, bottom = above + (map.y + map.h) * fit.scale;
    return Math.max(0, Math.min(top, bottom - plot.clientHeight));
  }
  function layout(panels, width, height) {
    var count = panels.length, best = { across: 1, scale: 0 };
    for (var c = 1; c <= Math.min(count, 3); c++) {
      var down = Math.ceil(count / c), scale = Math.min(width / (c * PANEL_W), height / (down * PANEL_H + 24));
      if (scale > best.scale) best = { across: c, scale: scale };
    }
    var text = PLOT_TEXT / 12; /* the scale that draws 12 units at PLOT_TEXT px */
    if (count === 1 && best.scale < text && (panels[0].kind === 'series' || panels[0].kind === 'xy')) {
      var scale = Math.min(text, width / PLOT_MIN.w, height / PLOT_MIN.h);
      return { across: 1, scale: scale, scroll: false, size: { w: width / scale, h: height / scale } };
    }
    if (best.scale >= READABLE_PLOT || count === 1) return { across: best.across, scale: Math.min(best.scale, 1.5), scroll: false };
    var across = Math.max(1, Math.min(count, 3, Math.floor(width / (PANEL_W * READABLE_PLOT))));
    return { across: across, scale: Math.min(1, width / (across * PANEL_W)), scroll: true };
  }
  function redraw() {
    if (drawPending || !lastFigure) return;
    drawPending = true;
    requestAnimationFrame(function () {
      drawPending = false;
      var plot = $('plot'), panels = panelsOf(lastFigure);
      if (panels.length === 1 && panels[0].kind === 'series' && !lastFigure.series.length && !lastFigure.title) {
        /* nothing to draw (clearplot): the pane gives its room to the graph */
        plot.innerHTML = '<p class="empty">' + EMPTY_PLOT + '</p>';
        plotScrolled = false;
        plotTop = plot.scrollTop;
        window.agrepl.figureAxes = { width: 0, height: 0, panels: [] };
        window.agrepl.plotsDrawn = (window.agrepl.plotsDrawn || 0) + 1;
        return;
      }
      var fit = layout(panels, plot.clientWidth - 4, plot.clientHeight - 4);
      plot.innerHTML = figureSvg(lastFigure, fit.across, null, fit.size);
      var svg = plot.querySelector('svg'), a = window.agrepl.figureAxes;
      if (fit.scroll) {
        svg.style.width = (a.width * fit.scale) + 'px';
        svg.style.height = (a.height * fit.scale) + 'px';
      }
      plot.style.overflowY = fit.scroll ? 'auto' : 'hidden';
      var onMap = fit.scroll && !plotScrolled ? mapScroll(plot, svg, fit) : null;
      if (onMap !== null) plot.scrollTop = onMap;
      plotTop = plot.scrollTop;
      window.agrepl.plotScale = fit.scroll ? fit.scale : Math.min(plot.clientWidth / a.width, plot.clientHeight / a.height);
      window.agrepl.plotsDrawn = (window.agrepl.plotsDrawn || 0) + 1;
    });
  }
  new ResizeObserver(function () { redraw(); }).observe($('plot'));

  /* An SVG drawn into a PNG scale times its CSS size: done(blob), or
   * done(null, why) */
  function pngOfSvg(svg, scale, done) {
    var img = new Image();
    img.onload = function () {
      var canvas = document.createElement('canvas');
      canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
      var cx = canvas.getContext('2d');
      cx.scale(scale, scale);
      cx.drawImage(img, 0, 0);
      canvas.toBlob(function (blob) { done(blob, blob ? '' : 'the browser made no PNG of ' + canvas.width + 'x' + canvas.height + ' pixels'); },
                    'image/png');
    };
    img.onerror = function () { done(null, 'the browser could not read its SVG'); };
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg);
  }
  /* the figure as the file name says, SVG or PNG, as the terminal's
   * savefig draws it: its size (1860 x 600 pixels for three panels), its
   * panels' places and what they show (figure_svg.js, fileLayout) */
  function figureFile(f, name, done) {
    var svg = figureSvg(f, 3, 'savedAxes');
    if (/\.svg$/i.test(name)) done(new Blob([svg], { type: 'image/svg+xml' }));
    else pngOfSvg(svg, 1, done);
  }
  function saveFigure(f, name) {
    figureFile(f, name, function (blob) { if (blob) download(blob, name); });
  }
  $('plotsvg').addEventListener('click', function () { if (lastFigure) saveFigure(lastFigure, 'figure.svg'); });
  $('plotpng').addEventListener('click', function () { if (lastFigure) saveFigure(lastFigure, 'figure.png'); });

  /* ---- files --------------------------------------------------------------- */
  function download(blob, name) {
    var a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    window.agrepl.lastDownload = name;
    window.agrepl.lastDownloadBlob = blob; /* tests read the bytes given */
  }
  var shownFiles = [];
  function showFiles(list, quietly) {
    shownFiles = list || [];
    var box = $('filelist');
    if (quietly && box.hidden) return;
    box.innerHTML = '<b>the session\'s files</b> (kept in this browser; click to download)<br>';
    if (!shownFiles.length) box.innerHTML += '<i>none yet: :save NAME.ag, save(m, "w.safetensors"), Open file…</i>';
    shownFiles.forEach(function (n) {
      var a = document.createElement('a');
      a.href = '#';
      a.textContent = n;
      a.onclick = function (e) { e.preventDefault(); worker.postMessage({ type: 'get', name: n }); };
      box.appendChild(a);
      box.appendChild(document.createElement('br'));
    });
    box.hidden = false;
  }
  $('files').addEventListener('click', function () {
    if (!$('filelist').hidden) { $('filelist').hidden = true; return; }
    worker.postMessage({ type: 'list' });
  });
  /* the list floats over the graph pane's buttons: Open file… only notes
   * the copy in the console (quiet: the list is refreshed if it is open),
   * and a click anywhere else closes it */
  document.addEventListener('click', function (e) {
    var box = $('filelist');
    if (!box.hidden && !box.contains(e.target) && !$('files').contains(e.target)) box.hidden = true;
  });
  $('upload').addEventListener('change', function () {
    var file = this.files[0];
    if (!file) return;
    file.arrayBuffer().then(function (bytes) {
      var name = file.name.replace(/[\/\\]/g, '_');
      delete madeFiles[name];
      worker.postMessage({ type: 'put', name: name, bytes: bytes }, [bytes]);
    });
    this.value = '';
  });

  /* ---- start: cross-origin isolation first, where a service worker can give it */
  function boot() {
    var http = location.protocol === 'http:' || location.protocol === 'https:';
    var wanted = !/[?&]isolate=0\b/.test(location.search); /* ?isolate=0: the restart Stop (a test) */
    if (!window.crossOriginIsolated && http && wanted && 'serviceWorker' in navigator && window.isSecureContext &&
        !sessionStorage.getItem('agrepl-isolating')) {
      sessionStorage.setItem('agrepl-isolating', '1');
      navigator.serviceWorker.register('sw.js').then(function (reg) {
        return navigator.serviceWorker.ready;
      }).then(function () { location.reload(); }, function () { start(null); });
      return;
    }
    sessionStorage.removeItem('agrepl-isolating');
    start(null);
  }
  boot();
})();
