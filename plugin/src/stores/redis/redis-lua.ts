import { DURATION_SAMPLES } from '../../core/durations.js';
import { STALLED_AFTER_INTERVALS } from '../../core/tick.js';
import { BLOCK_HEAD, BLOCK_SIZE, SET_CODES, WRITTEN_STATUSES } from './redis-keys.js';
import { PAGE_LUA } from './redis-page-lua.js';
import { LuaScript } from './redis-script.js';

/**
 * The Lua scripts of RedisStore. Each runs on the keys of one hash slot (a scope's block, see
 * `ScopeKeys.block`, and on a single server also the global indexes), so it is atomic on a
 * Cluster too. Statuses are numbered in the order of WRITTEN_STATUSES (1 started, 2 running:
 * the live ones, which can stall), a status's sets in the order of SET_CODES (1 u, 2 s, 3 p,
 * 4 n, 5 v). Regular and irregular records: see redis-keys.ts.
 */

const CONSTANTS = `
local BLOCK, HEAD, SETS, STATUSES = ${BLOCK_SIZE}, ${BLOCK_HEAD}, ${SET_CODES.length}, ${WRITTEN_STATUSES.length}
local STALL, SAMPLES = ${STALLED_AFTER_INTERVALS}, ${DURATION_SAMPLES}
local NAMES = {${WRITTEN_STATUSES.map((status) => `'${status}'`).join(', ')}}
-- the sorted set k (1 u, 2 s, 3 p, 4 n, 5 v) of status s in the block at base
local function set(base, s, k) return KEYS[base + HEAD + (s - 1) * SETS + k] end
-- the status a record is indexed under (its u or v set holds it), trying 'first' first
local function indexed(base, id, first)
  for n = 0, STATUSES do
    local s = n == 0 and first or n
    if (n == 0 or s ~= first) and (redis.call('ZSCORE', set(base, s, 1), id) or redis.call('ZSCORE', set(base, s, 5), id)) then
      return s
    end
  end
  return nil
end
-- removes a record's entries of status s (its name member when given)
local function unindex(base, s, id, member)
  for _, k in ipairs({1, 2, 3, 5}) do redis.call('ZREM', set(base, s, k), id) end
  if member and member ~= '' then redis.call('ZREM', set(base, s, 4), member) end
  if s <= 2 then redis.call('ZREM', KEYS[base + 4 + s], id) end
end
`;

/**
 * write: stores records and moves their index entries and counters, and publishes, atomically.
 *
 * KEYS  the global keys, if any: {p}::scopes, {p}::names, {p}::expiries, then durations keys
 *       (`RedisKeys.durations`); then one block per scope. With 'n', a block is its head and
 *       the 5 sets of the status its records share only (`ScopeKeys.blockOf`): 11 keys, not 46.
 * ARGV  [1] 'w' stores each value; 'i' (repair) only indexes a value still stored exactly as given;
 *       'n' stores each value only where no record has its id yet (queued records, see below);
 *       'l' stores each value as 'w' does, the records coming as lines (see below)
 *       [2] how many global keys KEYS starts with (0 on a Cluster's per-slot calls)
 *       [3] channel, '' for no PUBLISH; [4] message
 *       [5] G, then G × (activity ms, earliest expiry ms or '', scope key): global index entries
 *       then C, then C × (KEYS index of a durations key, completed_at ms, sample, expiry ms
 *       or ''): completions joining their name's last 32 (see core/durations.ts); a name's
 *       completions share one key
 *       then 12 fields per record: block number (from 1), id, value, status number,
 *       updatedAt score, startedAt score, percentage score, name member, stall ms or '',
 *       expiry ms or '', expiry − updatedAt ('none' without expiry, 'x': never regular),
 *       interval ms or 'none' (live statuses; '' for the others)
 *       With 'l', one argument for all records, a line per record: block, status number,
 *       updatedAt, startedAt and percentage scores, stall, expiry, expiry − updatedAt, interval,
 *       the id's length and the name collation key's length in bytes, TAB after each; then the
 *       id, the key (the member is key NUL id) and the value (JSON has no raw newline). Twelve
 *       arguments per record cost ioredis a string concatenation each, and the socket write
 *       of the concatenated command several times the bytes' worth: on a worker finishing
 *       thousands of jobs a second, about a third of what a record costs it.
 *       With 'n', the fields every record of the call shares come first, once: status number,
 *       updatedAt, startedAt and percentage scores, name collation key (the member is key NUL
 *       id), stall, expiry, expiry − updatedAt, interval; then a value template
 *       (record-template.ts): the job id's offset in the id in bytes (-1: no job id hole) and
 *       the five parts around the id, scope, total and job id holes; then per block its scope
 *       JSON and its lines, one per record: id TAB total JSON, which fill the template with the
 *       id, the block's scope and the job id (the id from the offset on); then U and U × (block,
 *       id, whole value) for the records that do not fit the template. Of records with one id,
 *       the first stored is kept (lines before the others). The records of an addBulk share all
 *       but a few short fields: a line costs Node and ioredis a fraction of a value, and the
 *       script builds the value in one concatenation. Each block's records go in one HMGET
 *       (which ids are there), one HSET and one ZADD per set, not a command per record: a
 *       command called from Lua costs about as much as the insert it makes.
 * Returns {block, id, previous value, previous status number} × n, flat, for records indexed
 * before under another name: the caller removes that old name member (the script cannot
 * build it: the collation lives in JavaScript).
 */
export const WRITE_LUA = `${CONSTANTS}
local repair = ARGV[1] == 'i'
local offset = tonumber(ARGV[2])
local g = tonumber(ARGV[5])
local i = 6
for _ = 1, g do
  redis.call('ZADD', KEYS[1], 'GT', ARGV[i], ARGV[i + 2])
  redis.call('ZADD', KEYS[2], 'NX', 0, ARGV[i + 2])
  if ARGV[i + 1] ~= '' then redis.call('ZADD', KEYS[3], 'LT', ARGV[i + 1], ARGV[i + 2]) end
  i = i + 3
end
local completions = tonumber(ARGV[i])
i = i + 1
-- each name's set is trimmed and its expiry moved once, after all its samples of the call
local trimmed, expiring = {}, {}
for _ = 1, completions do
  local key = KEYS[tonumber(ARGV[i])]
  redis.call('ZADD', key, ARGV[i + 1], ARGV[i + 2])
  if trimmed[key] == nil then
    trimmed[key] = true
    trimmed[#trimmed + 1] = key
  end
  if ARGV[i + 3] ~= '' and (not expiring[key] or tonumber(ARGV[i + 3]) > tonumber(expiring[key])) then
    expiring[key] = ARGV[i + 3]
  end
  i = i + 4
end
for _, key in ipairs(trimmed) do
  redis.call('ZREMRANGEBYRANK', key, 0, -(SAMPLES + 1))
  if expiring[key] then redis.call('PEXPIREAT', key, expiring[key], 'GT') end
end
if ARGV[1] == 'n' then
  -- A block is its head and the 5 sets of the one status the call's records share (see ARGV).
  local status, updated, started, percentage = tonumber(ARGV[i]), ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local nameKey, stall, expiry, delta, interval = ARGV[i + 4] .. '\\0', ARGV[i + 5], ARGV[i + 6], ARGV[i + 7], ARGV[i + 8]
  local cut = tonumber(ARGV[i + 9])
  local p1, p2, p3, p4, p5 = ARGV[i + 10], ARGV[i + 11], ARGV[i + 12], ARGV[i + 13], ARGV[i + 14]
  local size = HEAD + SETS
  local blocks = (#KEYS - offset) / size
  local ids, values, gmatch, sub = {}, {}, string.gmatch, string.sub
  -- Each block's lines (id TAB total), then the whole values of the others.
  for b = 1, blocks do
    local scope, list, texts, n = ARGV[i + 13 + 2 * b], {}, {}, 0
    for id, total in gmatch(ARGV[i + 14 + 2 * b], '([^\\t\\n]*)\\t([^\\n]*)') do
      n = n + 1
      list[n] = id
      texts[n] = p1 .. id .. p2 .. scope .. p3 .. total .. p4 .. (cut >= 0 and sub(id, cut + 1) or '') .. p5
    end
    ids[b], values[b] = list, texts
  end
  i = i + 15 + 2 * blocks
  for _ = 1, tonumber(ARGV[i]) do
    local b = tonumber(ARGV[i + 1])
    local list = ids[b]
    list[#list + 1] = ARGV[i + 2]
    values[b][#list] = ARGV[i + 3]
    i = i + 3
  end
  local live, name = status <= 2, NAMES[status]
  -- unpack takes at most a few thousand values: long lists go in slices (of whole pairs)
  local function each(command, key, list)
    for from = 1, #list, 1000 do redis.call(command, key, unpack(list, from, math.min(from + 999, #list))) end
  end
  for b = 1, blocks do
    local base = offset + (b - 1) * size
    local hash, counts, list, blockValues = KEYS[base + 1], KEYS[base + 2], ids[b], values[b]
    -- Only where no record has the id yet (nor an earlier line of the call): a worker's
    -- write that landed first stands.
    local hv, seen = {}, {}
    for from = 1, #list, 1000 do
      local stored = redis.call('HMGET', hash, unpack(list, from, math.min(from + 999, #list)))
      for k = 1, #stored do
        local id = list[from + k - 1]
        if not stored[k] and not seen[id] then
          seen[id] = true
          hv[#hv + 1] = id
          hv[#hv + 1] = blockValues[from + k - 1]
        end
      end
    end
    local fresh = #hv / 2
    if fresh > 0 then
      each('HSET', hash, hv)
      -- Regular: the status's pattern (set by the first regular record) fits the records.
      local regular = delta ~= 'x'
      if regular then
        local dField, iField = 'd:' .. name, 'i:' .. name
        local pattern = redis.call('HMGET', counts, dField, iField)
        if not pattern[1] or (live and not pattern[2]) or redis.call('ZCARD', KEYS[base + HEAD + 1]) == 0 then
          redis.call('HSET', counts, dField, delta)
          if live then redis.call('HSET', counts, iField, interval) end
          pattern = {delta, interval}
        end
        regular = pattern[1] == delta and (not live or pattern[2] == interval)
      end
      -- hv becomes the score, id pairs of each set in turn (the values are stored): one list.
      local function scored(score, key)
        for k = 1, #hv, 2 do hv[k] = score end
        each('ZADD', key, hv)
      end
      for k = 1, #hv, 2 do hv[k], hv[k + 1] = updated, hv[k] end
      each('ZADD', KEYS[base + HEAD + (regular and 1 or 5)], hv)
      if not regular then
        -- t holds every irregular live record, x the expiry of every irregular one
        if live then scored(stall ~= '' and stall or 'inf', KEYS[base + 4 + status]) end
        if expiry ~= '' then scored(expiry, KEYS[base + 3]) end
      end
      scored(started, KEYS[base + HEAD + 2])
      scored(percentage, KEYS[base + HEAD + 3])
      for k = 1, #hv, 2 do hv[k], hv[k + 1] = '0', nameKey .. hv[k + 1] end
      each('ZADD', KEYS[base + HEAD + 4], hv)
      redis.call('HINCRBY', counts, name, fresh)
    end
  end
  if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
  return {}
end
local renamed = {}
local args = ARGV
if ARGV[1] == 'l' then
  -- The lines, as the 12 fields per record of 'w'.
  local lines, at, find, sub, match = ARGV[i], 1, string.find, string.sub, string.match
  local stop = #lines
  args, i = {}, 1
  while at <= stop do
    local block, status, updated, started, percentage, stall, expiry, delta, interval, idLength, keyLength, from =
      match(lines, '^(%d+)\\t(%d+)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(%d+)\\t(%d+)\\t()', at)
    local idEnd = from + tonumber(idLength) - 1
    local keyEnd = idEnd + tonumber(keyLength)
    local eol = find(lines, '\\n', keyEnd + 1, true) or stop + 1
    local id, n = sub(lines, from, idEnd), #args
    args[n + 1], args[n + 2], args[n + 3], args[n + 4] = block, id, sub(lines, keyEnd + 1, eol - 1), status
    args[n + 5], args[n + 6], args[n + 7], args[n + 8] = updated, started, percentage, sub(lines, idEnd + 1, keyEnd) .. '\\0' .. id
    args[n + 9], args[n + 10], args[n + 11], args[n + 12] = stall, expiry, delta, interval
    at = eol + 1
  end
end
-- A record new to its scope (most records of a busy queue: written once, at their end) only
-- adds entries and counts, which commute: they are gathered, and go as one ZADD per set and
-- one HINCRBY per counter. A record written before goes the long way, after what was gathered.
local adds, addKeys, incrs, incrKeys = {}, {}, {}, {}
-- per block and status while only new records came: {d, iv, whether its u set has a member}
local patternOf = {}
-- the table of key in map, made (and key listed, in order) on first use
local function entryOf(map, keys, key)
  local entry = map[key]
  if not entry then
    entry = {}
    map[key] = entry
    keys[#keys + 1] = key
  end
  return entry
end
local function add(key, score, member)
  local list = entryOf(adds, addKeys, key)
  list[#list + 1] = score
  list[#list + 1] = member
end
local function landGathered()
  for _, key in ipairs(addKeys) do
    local list = adds[key]
    -- in slices: unpack takes at most a few thousand values
    for from = 1, #list, 1000 do
      redis.call('ZADD', key, unpack(list, from, math.min(from + 999, #list)))
    end
  end
  for _, key in ipairs(incrKeys) do
    for field, n in pairs(incrs[key]) do redis.call('HINCRBY', key, field, n) end
  end
  adds, addKeys, incrs, incrKeys, patternOf = {}, {}, {}, {}, {}
end
while i <= #args do
  local block, id, value, status = args[i], args[i + 1], args[i + 2], tonumber(args[i + 3])
  local updated, started, percentage, member = args[i + 4], args[i + 5], args[i + 6], args[i + 7]
  local stall, expiry, delta, interval = args[i + 8], args[i + 9], args[i + 10], args[i + 11]
  local base = offset + (tonumber(block) - 1) * BLOCK
  local counts = KEYS[base + 2]
  local old = redis.call('HGET', KEYS[base + 1], id)
  local live = status <= 2
  if not old and not repair then
    redis.call('HSET', KEYS[base + 1], id, value)
    local regular = delta ~= 'x'
    if regular then
      local slot = base * 8 + status
      local pattern = patternOf[slot]
      if not pattern then
        local fields = redis.call('HMGET', counts, 'd:' .. NAMES[status], 'i:' .. NAMES[status])
        pattern = {fields[1], live and fields[2], redis.call('ZCARD', set(base, status, 1)) > 0}
        patternOf[slot] = pattern
      end
      if not pattern[1] or (live and not pattern[2]) or not pattern[3] then
        redis.call('HSET', counts, 'd:' .. NAMES[status], delta)
        if live then redis.call('HSET', counts, 'i:' .. NAMES[status], interval) end
        pattern[1], pattern[2] = delta, live and interval
      end
      regular = pattern[1] == delta and (not live or pattern[2] == interval)
      if regular then pattern[3] = true end
    end
    add(set(base, status, regular and 1 or 5), updated, id)
    add(set(base, status, 2), started, id)
    add(set(base, status, 3), percentage, id)
    add(set(base, status, 4), 0, member)
    if not regular then
      -- t holds every irregular live record (see below)
      if live then add(KEYS[base + 4 + status], stall ~= '' and stall or 'inf', id) end
      if expiry ~= '' then add(KEYS[base + 3], expiry, id) end
    end
    local counter = entryOf(incrs, incrKeys, counts)
    counter[NAMES[status]] = (counter[NAMES[status]] or 0) + 1
  elseif old and (not repair or old == value) then
    landGathered()
    if not repair then redis.call('HSET', KEYS[base + 1], id, value) end
    local was = indexed(base, id, status)
    -- Regular: the status's pattern (set by the first regular record) fits this record.
    local regular = delta ~= 'x'
    if regular then
      local dField, iField = 'd:' .. NAMES[status], 'i:' .. NAMES[status]
      local pattern = redis.call('HMGET', counts, dField, iField)
      local d, iv = pattern[1], live and pattern[2]
      if not d or (live and not iv) or redis.call('ZCARD', set(base, status, 1)) == 0 then
        redis.call('HSET', counts, dField, delta)
        if live then redis.call('HSET', counts, iField, interval) end
        d, iv = delta, interval
      end
      regular = d == delta and (not live or iv == interval)
    end
    redis.call('ZADD', set(base, status, regular and 1 or 5), updated, id)
    redis.call('ZADD', set(base, status, 2), started, id)
    redis.call('ZADD', set(base, status, 3), percentage, id)
    local same = nil
    if was then
      -- Same name: the member is in the old status's name set. Else the caller removes the old one.
      same = redis.call('ZSCORE', set(base, was, 4), member)
      if was ~= status then
        unindex(base, was, id, same and member)
        redis.call('HINCRBY', counts, NAMES[was], -1)
        redis.call('HINCRBY', counts, NAMES[status], 1)
      end
      if not same then
        renamed[#renamed + 1] = block
        renamed[#renamed + 1] = id
        renamed[#renamed + 1] = old
        renamed[#renamed + 1] = was
      end
    else
      redis.call('HINCRBY', counts, NAMES[status], 1)
    end
    redis.call('ZADD', set(base, status, 4), 0, member)
    if regular then
      if was == status then redis.call('ZREM', set(base, status, 5), id) end
      if live and was == status then redis.call('ZREM', KEYS[base + 4 + status], id) end
      redis.call('ZREM', KEYS[base + 3], id)
    else
      if was == status then redis.call('ZREM', set(base, status, 1), id) end
      -- t holds every irregular live record (+inf: it never stalls), so a page can read the
      -- running or the stalled ones as ranges of it (see PAGE_LUA).
      if live then redis.call('ZADD', KEYS[base + 4 + status], stall ~= '' and stall or 'inf', id) end
      if expiry ~= '' then redis.call('ZADD', KEYS[base + 3], expiry, id)
      else redis.call('ZREM', KEYS[base + 3], id) end
    end
    redis.call('SREM', KEYS[base + 4], id)
  end
  i = i + 12
end
landGathered()
if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], ARGV[4]) end
return renamed
`;

/** The patterns of a block's statuses: d[s] (expiry − updatedAt) and iv[s] (interval), numbers or nil. */
const PATTERNS = `
local function patterns(base)
  local d, iv = {}, {}
  local fields = redis.call('HGETALL', KEYS[base + 2])
  local number = {}
  for s = 1, STATUSES do number[NAMES[s]] = s end
  for k = 1, #fields, 2 do
    local kind, name = string.match(fields[k], '^([di]):(.+)$')
    local s = name and number[name]
    if s then
      if kind == 'd' then d[s] = tonumber(fields[k + 1]) else iv[s] = tonumber(fields[k + 1]) end
    end
  end
  return d, iv
end
-- the earliest expiry in a block (ms), or nil
local function earliest(base, d)
  local first = redis.call('ZRANGE', KEYS[base + 3], 0, 0, 'WITHSCORES')[2]
  local best = first and tonumber(first)
  for s = 1, STATUSES do
    if d[s] then
      local u = redis.call('ZRANGE', set(base, s, 1), 0, 0, 'WITHSCORES')[2]
      if u and (not best or tonumber(u) + d[s] < best) then best = tonumber(u) + d[s] end
    end
  end
  return best
end
`;

/**
 * remove: deletes records with their index entries and counters, or fixes their expiry entry,
 * only while each is stored exactly as the caller read it, atomically.
 *
 * KEYS  one block per scope.
 * ARGV  [1] channel, '' for no PUBLISH; [2] message, sent when anything was removed
 *       then 5 fields per record: block number, id, action, the value as read ('' = whatever
 *       is stored), argument. Actions: 'd' deletes (argument: the record's name member, '' when
 *       unknown); 'x' makes the record irregular with this expiry (argument: expiry ms, ''
 *       for none): a program that only HSETs rewrote it; 'b' unindexes a malformed value and
 *       counts it in the block's bad set, so the hash and counters agree.
 * Returns {removed ids as block, id pairs…} and, per block touched, its earliest expiry left ('' = none).
 */
export const REMOVE_LUA = `${CONSTANTS}${PATTERNS}
local removed, touched = {}, {}
-- Called with no record: the earliest expiry of the first block.
if #ARGV == 2 then touched['1'] = true end
local i = 3
while i <= #ARGV do
  local block, id, action, expected, arg = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local base = (tonumber(block) - 1) * BLOCK
  local value = redis.call('HGET', KEYS[base + 1], id)
  if expected == '' or value == expected then
    local was = indexed(base, id, 2)
    if action == 'x' then
      local score = was and redis.call('ZSCORE', set(base, was, 1), id)
      if score then
        redis.call('ZREM', set(base, was, 1), id)
        redis.call('ZADD', set(base, was, 5), score, id)
        -- Its stall time stays the regular one, now as its own entry (t holds every irregular live record).
        if was <= 2 then
          local _, iv = patterns(base)
          redis.call('ZADD', KEYS[base + 4 + was], iv[was] and string.format('%.0f', tonumber(score) + STALL * iv[was]) or 'inf', id)
        end
      end
      if arg == '' then redis.call('ZREM', KEYS[base + 3], id) else redis.call('ZADD', KEYS[base + 3], arg, id) end
    else
      if was then
        unindex(base, was, id, arg)
        redis.call('HINCRBY', KEYS[base + 2], NAMES[was], -1)
      end
      redis.call('ZREM', KEYS[base + 3], id)
      if action == 'b' then
        if value then redis.call('SADD', KEYS[base + 4], id) end
      else
        redis.call('SREM', KEYS[base + 4], id)
        if value then
          redis.call('HDEL', KEYS[base + 1], id)
          removed[#removed + 1] = block
          removed[#removed + 1] = id
        end
      end
    end
    touched[block] = true
  end
  i = i + 5
end
if #removed > 0 and ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
local hints = {}
for block in pairs(touched) do
  local base = (tonumber(block) - 1) * BLOCK
  -- The last record gone: the counters (zeros and patterns) go too; empty sets are gone already.
  if redis.call('EXISTS', KEYS[base + 1]) == 0 then redis.call('DEL', KEYS[base + 2]) end
  local d = patterns(base)
  local best = earliest(base, d)
  hints[#hints + 1] = block
  hints[#hints + 1] = best and string.format('%.0f', best) or ''
end
return {removed, hints}
`;

/**
 * due: the records of one scope past their expiry, with their values: the regular ones from
 * each status's u set (updatedAt ≤ now − d), the irregular ones from x.
 * KEYS  one block.  ARGV  [1] now ms, [2] at most this many.
 * Returns {id, value} × n, flat (value false when the record is gone).
 */
export const DUE_LUA = `${CONSTANTS}${PATTERNS}
local now, want = tonumber(ARGV[1]), tonumber(ARGV[2])
local d = patterns(0)
local ids = redis.call('ZRANGE', KEYS[3], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, want)
for s = 1, STATUSES do
  if d[s] and #ids < want then
    local more = redis.call('ZRANGE', set(0, s, 1), '-inf', string.format('%.0f', now - d[s]), 'BYSCORE', 'LIMIT', 0, want - #ids)
    for k = 1, #more do ids[#ids + 1] = more[k] end
  end
end
local reply = {}
if #ids == 0 then return reply end
local values = redis.call('HMGET', KEYS[1], unpack(ids))
for k = 1, #ids do
  reply[#reply + 1] = ids[k]
  reply[#reply + 1] = values[k]
end
return reply
`;

/**
 * scopeCounts: a scope's counters as the counts script returns them. The head of its block
 * (hash, counts, expiries, bad, stall:started, stall:running) is at KEYS[head + 1…6]; uset(s)
 * names the u set of status s; nowText is now in ms.
 */
const SCOPE_COUNTS = `
local function scopeCounts(head, uset, nowText)
  local now = tonumber(nowText)
  local d, iv = patterns(head)
  local expired = redis.call('ZCOUNT', KEYS[head + 3], '-inf', nowText)
  for s = 1, STATUSES do
    if d[s] then expired = expired + redis.call('ZCOUNT', uset(s), '-inf', string.format('%.0f', now - d[s])) end
  end
  local stalled = {}
  for s = 1, 2 do
    stalled[s] = redis.call('ZCOUNT', KEYS[head + 4 + s], '-inf', '(' .. nowText)
    if iv[s] then
      stalled[s] = stalled[s] + redis.call('ZCOUNT', uset(s), '-inf', '(' .. string.format('%.0f', now - STALL * iv[s]))
    end
  end
  local reply = {redis.call('HLEN', KEYS[head + 1]), redis.call('SCARD', KEYS[head + 4]), expired, stalled[1], stalled[2]}
  local fields = redis.call('HGETALL', KEYS[head + 2])
  for k = 1, #fields do reply[#reply + 1] = fields[k] end
  return reply
end
`;

/**
 * counts: what a scope holds, from its counters, in O(statuses × log n).
 * KEYS  one block.  ARGV  [1] now ms
 * Returns {HLEN, malformed, expired not yet swept, stalled started, stalled running, status, count, …}
 */
export const COUNTS_LUA = `${CONSTANTS}${PATTERNS}${SCOPE_COUNTS}
return scopeCounts(0, function(s) return set(0, s, 1) end, ARGV[1])
`;

/**
 * page (see PAGE_LUA), with the scope's counters read in the same call: the counts of the
 * records its rows show. The last HEAD + STATUSES keys are the block's head and each status's
 * u set (ScopeKeys.countKeys).
 */
const PAGE_WITH_COUNTS_LUA = `${CONSTANTS}${PATTERNS}${SCOPE_COUNTS}
local countsHead = #KEYS - HEAD - STATUSES
local function pageCounts()
  return scopeCounts(countsHead, function(s) return KEYS[countsHead + HEAD + s] end, ARGV[7])
end
${PAGE_LUA}`;

/**
 * rehint: moves a scope's entry in {p}::expiries to its earliest expiry left, unless a write
 * moved the entry since the sweep read it (then the write's time stands: it is earlier).
 * KEYS  [1] {p}::expiries, [2] {p}::scopes, [3] {p}::names
 * ARGV  3 per scope: scope key, score as read, earliest expiry left ('' = none), and a flag:
 *       '1' when the scope's hash is gone, so the scope leaves the listing indexes too.
 */
export const REHINT_LUA = `
local i = 1
while i <= #ARGV do
  local scope, seen, next, gone = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local score = redis.call('ZSCORE', KEYS[1], scope)
  if score and tonumber(score) == tonumber(seen) then
    if next == '' then redis.call('ZREM', KEYS[1], scope) else redis.call('ZADD', KEYS[1], next, scope) end
  end
  if gone == '1' then
    redis.call('ZREM', KEYS[2], scope)
    redis.call('ZREM', KEYS[3], scope)
  end
  i = i + 4
end
return 0
`;

/**
 * durations: the samples of several job names' durations sets at once (see DurationReads).
 * KEYS  the sets, all in the {p} slot
 * Returns one flat {member, score, …} list per key, in the order of KEYS.
 */
export const DURATIONS_LUA = `
local replies = {}
for i = 1, #KEYS do replies[i] = redis.call('ZRANGE', KEYS[i], 0, -1, 'WITHSCORES') end
return replies
`;

/** The scripts, each with its SHA1 computed once. */
export const SCRIPTS = {
  write: new LuaScript(WRITE_LUA),
  remove: new LuaScript(REMOVE_LUA),
  rehint: new LuaScript(REHINT_LUA),
  counts: new LuaScript(COUNTS_LUA),
  due: new LuaScript(DUE_LUA),
  page: new LuaScript(PAGE_WITH_COUNTS_LUA),
  durations: new LuaScript(DURATIONS_LUA),
} as const;
