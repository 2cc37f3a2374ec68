/* unzip.js — the web page's .npz reader (load_npz): a zip archive's members,
 * as libzip gives them to the terminal's load_npz (src/npy.c), for a worker
 * with no libzip.  np.savez stores its members as they are; np.savez_compressed
 * deflates them, and the browser's DecompressionStream('deflate-raw') inflates
 * them.  That stream answers later (a promise) while load_npz runs now, in
 * the middle of a statement, so the worker inflates the compressed members
 * of every .npz among the session's files before each statement runs and
 * after each file is copied in (agUnzipPrepare), and the reader finds them
 * here (agUnzip).  What is wrong is said in libzip's words, so the page's
 * messages are the terminal's.  Like libzip's reader, no CRC is checked. */
'use strict';
var agUnzipInflated = new Map(); /* 'method:compressed size:size:crc' -> [{compressed, data or error}] */

function agUnzipEntries(b) {
  var NOT_ZIP = 'Not a zip archive', INCONSISTENT = 'Zip archive inconsistent';
  var view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  var u16 = function (o) { return view.getUint16(o, true); };
  var u32 = function (o) { return view.getUint32(o, true); };
  var u64 = function (o) { return u32(o) + u32(o + 4) * 4294967296; };
  /* the end of central directory record: in the last 22 + 65535 bytes */
  var end = -1;
  for (var i = b.length - 22; i >= 0 && i >= b.length - 22 - 65535; i--)
    if (u32(i) === 0x06054b50) { end = i; break; }
  if (end < 0) return { error: NOT_ZIP };
  var count = u16(end + 10), cdSize = u32(end + 12), cdStart = u32(end + 16);
  if (end >= 20 && u32(end - 20) === 0x07064b50) { /* zip64 */
    var at64 = u64(end - 12);
    if (at64 + 56 > b.length || u32(at64) !== 0x06064b50) return { error: INCONSISTENT };
    count = u64(at64 + 32); cdSize = u64(at64 + 40); cdStart = u64(at64 + 48);
  }
  if (cdStart + cdSize > b.length) return { error: NOT_ZIP };
  var entries = [], at = cdStart;
  for (var k = 0; k < count; k++) {
    if (at + 46 > b.length || u32(at) !== 0x02014b50) return { error: INCONSISTENT };
    var e = { method: u16(at + 10), crc: u32(at + 16), csize: u32(at + 20), size: u32(at + 24) };
    var nameLength = u16(at + 28), extraLength = u16(at + 30), commentLength = u16(at + 32);
    var offset = u32(at + 42);
    e.name = new TextDecoder().decode(b.subarray(at + 46, at + 46 + nameLength));
    /* zip64: the sizes and the offset that do not fit 32 bits, in this order */
    for (var x = at + 46 + nameLength; x + 4 <= at + 46 + nameLength + extraLength; x += 4 + u16(x + 2)) {
      if (u16(x) !== 1) continue;
      var y = x + 4;
      if (e.size === 0xffffffff) { e.size = u64(y); y += 8; }
      if (e.csize === 0xffffffff) { e.csize = u64(y); y += 8; }
      if (offset === 0xffffffff) { offset = u64(y); y += 8; }
    }
    if (offset + 30 > b.length || u32(offset) !== 0x04034b50) return { error: INCONSISTENT };
    e.start = offset + 30 + u16(offset + 26) + u16(offset + 28);
    if (e.start + e.csize > b.length) return { error: INCONSISTENT };
    e.key = e.method + ':' + e.csize + ':' + e.size + ':' + e.crc;
    entries.push(e);
    at += 46 + nameLength + extraLength + commentLength;
  }
  return { entries: entries };
}

function agUnzipSame(a, b) {
  if (a.length !== b.length) return false;
  for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/* The archive's members: {members: [{name, data} or {name, error}]}, or
 * {error} when it is no zip archive.  Compressed members come from what
 * agUnzipPrepare inflated. */
function agUnzip(b) {
  var got = agUnzipEntries(b);
  if (got.error) return got;
  return {
    members: got.entries.map(function (e) {
      var compressed = b.subarray(e.start, e.start + e.csize);
      if (e.method === 0) return { name: e.name, data: compressed };
      if (e.method !== 8) return { name: e.name, error: 'Compression method not supported' };
      var known = (agUnzipInflated.get(e.key) || []).find(function (k) { return agUnzipSame(k.compressed, compressed); });
      if (!known)
        return { name: e.name, error: 'the page inflates a compressed member before the statement runs, from the ' +
                 'session\'s files (Open file…), and this one was not among them then' };
      return known.error !== undefined ? { name: e.name, error: known.error } : { name: e.name, data: known.data };
    })
  };
}

/* Inflates the compressed members of the archives in `archives` (their
 * bytes), keeping only theirs; resolves when all are done. */
async function agUnzipPrepare(archives) {
  var kept = new Map();
  for (var b of archives) {
    var got = agUnzipEntries(b);
    if (got.error) continue;
    for (var e of got.entries) {
      if (e.method !== 8) continue;
      var compressed = b.slice(e.start, e.start + e.csize);
      var list = kept.get(e.key) || [];
      if (list.some(function (k) { return agUnzipSame(k.compressed, compressed); })) continue;
      var old = (agUnzipInflated.get(e.key) || []).find(function (k) { return agUnzipSame(k.compressed, compressed); });
      if (!old) {
        old = { compressed: compressed };
        try {
          var stream = new Blob([compressed]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
          var data = new Uint8Array(await new Response(stream).arrayBuffer());
          /* libzip reads the size the directory gives: a shorter stream is its error */
          if (data.length < e.size) old.error = 'Zlib error: data error';
          else old.data = data.subarray(0, e.size);
        } catch (err) {
          old.error = 'Zlib error: data error';
        }
      }
      list.push(old);
      kept.set(e.key, list);
    }
  }
  agUnzipInflated = kept;
}
