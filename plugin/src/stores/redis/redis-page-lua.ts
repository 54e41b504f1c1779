/**
 * page: the next entries of one sort over a scope's sets of some statuses, merged in order,
 * with their stored values. Each set is read by the cheapest of up to three plans, chosen from
 * counts that cost O(log n) (ZCARD, ZCOUNT, ZLEXCOUNT), so a page costs about the page, not
 * the scope, whatever the mix of statuses and names:
 * - walk: the set in order from the cursor, keeping the entries that pass the filters. Its
 *   cost is the page × the set ÷ the entries that pass, so it serves unselective filters. On
 *   a status's own u set the stall threshold cuts a range of the set itself: nothing is dropped.
 * - gather by status: when few records of a live status read running (or stalled), they are
 *   ranges of the status's u set (regular records: stalled when updatedAt < now − 3 ×
 *   interval) and t set (irregular ones: score = stall time, +inf when they never stall); each
 *   is scored with ZSCORE on the sort's set and the first `want` kept.
 * - gather by name: when few records match a name prefix, the ranges of the status's name set.
 * - match walk (a name prefix on a score sort): the ids of the name set's ranges go into a Lua
 *   table, then the sort's set is walked by rank, members only, each id looked up in the table:
 *   no score formatted and no value read for an entry that does not match. It costs the
 *   matches plus the page × the set ÷ the matches, a third of a gather's or a walk's cost per
 *   entry (ZMSCORE and HMGET touch a random place of memory per id), so it serves the band
 *   between them, where both cost about √(page × set) entries.
 * A walk examines at most 20,000 entries per set and call (a match walk 40,000); when one
 * stops short, the reply ends at its frontier and the caller goes on from there. A gather is
 * whole.
 *
 * KEYS  [1] the scope's hash, then S sets (of one sort) to merge, then the u, t, v and name
 *       sets of their statuses, then ScopeKeys.countKeys (for pageCounts, below)
 * ARGV  [1] 'asc' or 'desc'; [2] 'lex' (name sets: score 0, member = key NUL id) or 'score'
 *       [3] how many entries; [4] '1' when a cursor follows, else '0'
 *       [5] cursor: score (or, for lex, the member key NUL id); [6] cursor id (score sets)
 *       [7] now ms; [8] S; [9] the name search key when a walk may test names here (ASCII;
 *       '' otherwise: then a name filter is served by gathering names)
 *       [10] R, then R name key prefixes in ascending order: the name filter (score sorts;
 *       R = 0: every name) or the ranges walked (lex; R = 0: every member)
 *       then per set 7 fields: filter (0 none, 1 keep not stalled, 2 keep stalled), stall
 *       threshold (now − 3 × interval, '' when the status has no interval), the KEYS index of
 *       the status's u set, t set (any index for a status that never stalls), v set, name set,
 *       and the set's kind: 'u' (the u set, sorted by updatedAt), 'v' (the v set), 'o' (other)
 * Returns { {member, score, value} × n flat, frontier {member, score} or {}, the scope's counters }.
 * The counters come from pageCounts(), which the script's prelude defines (PAGE_WITH_COUNTS_LUA
 * in redis-lua.ts: the counts script's code, over ScopeKeys.countKeys, the last keys of the call),
 * so that a page's counts are read with its rows.
 */
export const PAGE_LUA = `
local asc, lex, want = ARGV[1] == 'asc', ARGV[2] == 'lex', tonumber(ARGV[3])
local hasCursor, cursor, cursorId = ARGV[4] == '1', ARGV[5], ARGV[6]
local now, sets, search = tonumber(ARGV[7]), tonumber(ARGV[8]), ARGV[9]
local BUDGET = 20000
-- Byte order. Lua's < on strings follows strcoll: byte order in the C locale, which a server
-- started without LANG has; under another locale (where 'a' < 'B') compare byte by byte.
local native = 'B' < 'a' and 'Z' < '_' and '_' < 'a' and 'z' < '~' and '~' < '\\128'
local function less(a, b)
  if native then return a < b end
  if a == b then return false end
  local n = math.min(#a, #b)
  for k = 1, n do
    local x, y = string.byte(a, k), string.byte(b, k)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function num(score)
  if score == '-inf' then return -math.huge end
  if score == 'inf' or score == '+inf' then return math.huge end
  return tonumber(score)
end
-- entries {member, number, raw score}; true when a comes before b in the page's order
local function before(a, b)
  if a[2] ~= b[2] then
    if asc then return a[2] < b[2] else return a[2] > b[2] end
  end
  if asc then return less(a[1], b[1]) else return less(b[1], a[1]) end
end
-- the ascending rank of the first entry after (score, id), or at it when 'at'
local function rank(key, score, id, at)
  local lo = redis.call('ZCOUNT', key, '-inf', '(' .. score)
  local hi = redis.call('ZCOUNT', key, '-inf', score)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local m = redis.call('ZRANGE', key, mid, mid)[1]
    if less(m, id) or (not at and m == id) then lo = mid + 1 else hi = mid end
  end
  return lo
end
local function memberId(member) return string.sub(member, (string.find(member, '\\0', 1, true) or 0) + 1) end
local idOf = function(member) return member end
if lex then idOf = memberId end
local r = tonumber(ARGV[10])
local prefixes = {}
for k = 1, r do prefixes[k] = ARGV[10 + k] end
-- A name filter on a score sort (on a lex sort, the prefixes are the walk's ranges).
local named = r > 0 and not lex
if lex and r == 0 then prefixes[1] = '' end
local a = 11 + r
local filters = {}
for s = 1, sets do
  filters[s] = {mode = tonumber(ARGV[a]), threshold = ARGV[a + 1] ~= '' and tonumber(ARGV[a + 1]) or nil,
    thresholdText = ARGV[a + 1], u = KEYS[tonumber(ARGV[a + 2])], t = KEYS[tonumber(ARGV[a + 3])],
    v = KEYS[tonumber(ARGV[a + 4])], n = KEYS[tonumber(ARGV[a + 5])], kind = ARGV[a + 6]}
  a = a + 7
end
local cursorEntry = hasCursor and {cursorId, num(cursor), cursor} or nil
local function stalled(f, id)
  local u = redis.call('ZSCORE', f.u, id)
  if u then return f.threshold ~= nil and num(u) < f.threshold end
  local t = redis.call('ZSCORE', f.t, id)
  return t and num(t) < now or false
end
-- False only when a stored value's name surely does not start with the search: a name without
-- escapes or non-ASCII bytes, first in the value as both wire formats write it. The caller
-- tests every name it gets again.
local function nameMayMatch(value)
  if not value then return false end
  if string.sub(value, 1, 9) ~= '{"name":"' then return true end
  local stop = string.find(value, '"', 10, true)
  if not stop then return true end
  local raw = string.sub(value, 10, stop - 1)
  if string.find(raw, '\\\\', 1, true) or string.find(raw, '[\\128-\\255]') then return true end
  return string.lower(string.sub(raw, 1, #search)) == search
end
-- The records of the filter's status that it keeps, as score ranges {key, min, max} of its u
-- and t sets; nil when t misses some irregular record (a scope written before t held them all).
local function stallRanges(f)
  local ranges = {}
  if f.kind ~= 'v' then
    if f.mode == 1 then ranges[#ranges + 1] = {f.u, f.threshold and f.thresholdText or '-inf', '+inf'}
    elseif f.threshold then ranges[#ranges + 1] = {f.u, '-inf', '(' .. f.thresholdText} end
  end
  if f.kind ~= 'u' then
    if redis.call('ZCARD', f.v) ~= redis.call('ZCARD', f.t) then return nil end
    if f.mode == 1 then ranges[#ranges + 1] = {f.t, ARGV[7], '+inf'}
    else ranges[#ranges + 1] = {f.t, '-inf', '(' .. ARGV[7]} end
  end
  return ranges
end
local function nameCount(f)
  local count = 0
  for _, p in ipairs(prefixes) do count = count + redis.call('ZLEXCOUNT', f.n, '[' .. p, '(' .. p .. '\\255') end
  return count
end
-- Inserts e into top (ordered, at most want entries).
local function keep(top, e)
  if #top >= want and not before(e, top[#top]) then return end
  local lo, hi = 1, #top + 1
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if before(top[mid], e) then lo = mid + 1 else hi = mid end
  end
  table.insert(top, lo, e)
  if #top > want then top[#top] = nil end
end
-- The ids of a name set's members in the filter's ranges, as table keys (see matchesOf): read
-- once per name set (the u and v sets of a status share theirs).
local matchTables = {}
-- Gather: scores the candidates (ids from stall ranges, or name members), ZMSCORE 1,000 at a
-- time, and keeps the first want past the cursor.
local function gather(key, f, ranges)
  local top = {}
  local function consider(ids)
    local scores = redis.call('ZMSCORE', key, unpack(ids))
    for k = 1, #ids do
      local raw = scores[k]
      -- Most candidates fall behind a full page on their score alone: no table made for them.
      local score = raw and num(raw)
      local worst = #top >= want and top[#top] or nil
      if raw and (not worst or (asc and score <= worst[2]) or (not asc and score >= worst[2])) then
        local id = ids[k]
        local e = {id, score, raw}
        if (not cursorEntry or before(cursorEntry, e)) and (not worst or before(e, worst)) then
          local pass
          if ranges then pass = not named or nameMayMatch(redis.call('HGET', KEYS[1], id))
          else pass = f.mode == 0 or stalled(f, id) == (f.mode == 2) end
          -- An old name member left by a rename may offer its record twice.
          for j = 1, #top do if top[j][1] == id then pass = false break end end
          if pass then keep(top, e) end
        end
      end
    end
  end
  local function each(members, toId)
    for first = 1, #members, 1000 do
      local ids = {}
      for k = first, math.min(#members, first + 999) do ids[#ids + 1] = toId(members[k]) end
      consider(ids)
    end
  end
  if ranges then
    for _, range in ipairs(ranges) do
      each(redis.call('ZRANGE', range[1], range[2], range[3], 'BYSCORE'), function(id) return id end)
    end
  elseif matchTables[f.n] then
    -- A match walk that gave up left the ids read already.
    local ids = {}
    for id in pairs(matchTables[f.n]) do
      ids[#ids + 1] = id
      if #ids == 1000 then consider(ids) ids = {} end
    end
    if #ids > 0 then consider(ids) end
  else
    for _, p in ipairs(prefixes) do
      each(redis.call('ZRANGE', f.n, '[' .. p, '(' .. p .. '\\255', 'BYLEX'), memberId)
    end
  end
  return top
end
-- Walks one set from the cursor: its next entries that pass, up to want; and where it stopped
-- short. floor and ceiling bound the ranks walked (a u set's stall range); check: test each entry.
-- With a give-up count, a walk that examines that many entries without filling the page
-- returns nil: a gather then serves the set (the passing entries were not spread evenly).
local function walk(key, f, floor, ceiling, check, giveUp)
  local kept, examined, frontier = {}, 0, nil
  local budget = giveUp or BUDGET
  local function offer(entry, value)
    examined = examined + 1
    if (not check or f.mode == 0 or stalled(f, idOf(entry[1])) == (f.mode == 2)) and (not named or nameMayMatch(value)) then
      kept[#kept + 1] = entry
    end
    if #kept >= want then return true end
    if examined >= budget then
      if giveUp then kept = nil else frontier = entry end
      return true
    end
    return false
  end
  -- The values of a chunk's members (flat, every step-th from first), for the name test.
  local function values(flat, step)
    if not named or #flat == 0 then return {} end
    local ids = {}
    for k = 1, #flat, step do ids[#ids + 1] = flat[k] end
    return redis.call('HMGET', KEYS[1], unpack(ids))
  end
  if lex then
    local from, to, step = 1, #prefixes, 1
    if not asc then from, to, step = #prefixes, 1, -1 end
    for p = from, to, step do
      local prefix = prefixes[p]
      local top = prefix .. '\\255'
      local low, high = '[' .. prefix, '(' .. top
      local skip = false
      if hasCursor then
        if asc then
          if not less(cursor, top) then skip = true elseif not less(cursor, prefix) then low = '(' .. cursor end
        else
          if not less(prefix, cursor) then skip = true elseif less(cursor, top) then high = '(' .. cursor end
        end
      end
      while not skip do
        local chunk = math.min(1000, math.max(64, want - #kept))
        local flat
        if asc then flat = redis.call('ZRANGE', key, low, high, 'BYLEX', 'LIMIT', 0, chunk)
        else flat = redis.call('ZRANGE', key, high, low, 'BYLEX', 'REV', 'LIMIT', 0, chunk) end
        for k = 1, #flat do
          if offer({flat[k], 0, '0'}) then return kept, frontier end
        end
        if #flat < chunk then break end
        if asc then low = '(' .. flat[#flat] else high = '(' .. flat[#flat] end
      end
    end
    return kept, frontier
  end
  if asc then
    local start = math.max(floor, hasCursor and rank(key, cursor, cursorId, false) or 0)
    while start < ceiling do
      local stop = math.min(ceiling, start + math.min(1000, math.max(64, want - #kept))) - 1
      local flat = redis.call('ZRANGE', key, start, stop, 'WITHSCORES')
      local got = values(flat, 2)
      for k = 1, #flat, 2 do
        if offer({flat[k], num(flat[k + 1]), flat[k + 1]}, got[(k + 1) / 2]) then return kept, frontier end
      end
      start = stop + 1
    end
  else
    local stop = math.min(ceiling, hasCursor and rank(key, cursor, cursorId, true) or ceiling)
    while stop > floor do
      local start = math.max(floor, stop - math.min(1000, math.max(64, want - #kept)))
      local flat = redis.call('ZRANGE', key, start, stop - 1, 'WITHSCORES')
      local got = values(flat, 2)
      for k = #flat - 1, 1, -2 do
        if offer({flat[k], num(flat[k + 1]), flat[k + 1]}, got[(k + 1) / 2]) then return kept, frontier end
      end
      stop = start
    end
  end
  return kept, frontier
end
local function matchesOf(f)
  local found = matchTables[f.n]
  if found then return found end
  found = {}
  for _, p in ipairs(prefixes) do
    local members = redis.call('ZRANGE', f.n, '[' .. p, '(' .. p .. '\\255', 'BYLEX')
    for k = 1, #members do found[memberId(members[k])] = true end
  end
  matchTables[f.n] = found
  return found
end
-- Walks one score set from the cursor like walk, keeping the ids in matches: members only,
-- scored once kept (ZMSCORE of the chunk's kept ids). stride: the set's entries per match
-- expected, which sizes the chunks. Returns like walk; nil on giving up.
local function matchWalk(key, f, floor, ceiling, check, matches, stride, giveUp)
  local kept, examined = {}, 0
  local budget = giveUp or 2 * BUDGET
  local lo, hi = floor, ceiling
  if asc then lo = math.max(floor, hasCursor and rank(key, cursor, cursorId, false) or 0)
  else hi = math.min(ceiling, hasCursor and rank(key, cursor, cursorId, true) or ceiling) end
  while lo < hi do
    local size = math.min(1000, math.max(64, math.ceil((want - #kept) * stride * 1.2)))
    local first, last = lo, math.min(hi, lo + size) - 1
    if not asc then first, last = math.max(lo, hi - size), hi - 1 end
    local ids = redis.call('ZRANGE', key, first, last)
    local from, to, step = 1, #ids, 1
    if not asc then from, to, step = #ids, 1, -1 end
    local passed, stop = {}, nil
    for k = from, to, step do
      local id = ids[k]
      examined = examined + 1
      if matches[id] and (not check or f.mode == 0 or stalled(f, id) == (f.mode == 2)) then
        passed[#passed + 1] = id
        if #kept + #passed >= want then break end
      end
      if examined >= budget then stop = id break end
    end
    if #passed > 0 then
      local scores = redis.call('ZMSCORE', key, unpack(passed))
      for k = 1, #passed do kept[#kept + 1] = {passed[k], num(scores[k]), scores[k]} end
    end
    if #kept >= want then return kept, nil end
    if stop then
      if giveUp then return nil end
      local score = redis.call('ZSCORE', key, stop)
      return kept, {stop, num(score), score}
    end
    if asc then lo = last + 1 else hi = first end
  end
  return kept, nil
end
-- Reads one set by its cheapest plan. Costs count entries examined, weighted by what each
-- costs next to reading an entry (measured: a stall test ~1.5, a value fetched and its name
-- tested ~5; a candidate gathered ~2: read from its range, then scored).
local function read(key, f)
  local card = redis.call('ZCARD', key)
  if card == 0 then return {}, nil end
  local floor, ceiling = 0, card
  local ranges = nil
  local passing = card
  if f.mode ~= 0 then
    if f.kind == 'u' then
      -- The threshold is a score of this very set: the kept records are one range of it.
      local cut = f.threshold and redis.call('ZCOUNT', key, '-inf', '(' .. f.thresholdText) or 0
      if f.mode == 1 then floor = cut else ceiling = cut end
      passing = ceiling - floor
    else
      ranges = stallRanges(f)
      if ranges then
        passing = 0
        for _, range in ipairs(ranges) do passing = passing + redis.call('ZCOUNT', range[1], range[2], range[3]) end
      end
    end
    if passing <= 0 then return {}, nil end
  end
  local span = ceiling - floor
  local check = f.mode ~= 0 and f.kind ~= 'u'
  if lex then return walk(key, f, floor, ceiling, check) end
  local matches, share = nil, 1
  if named then
    matches = nameCount(f)
    if matches == 0 then return {}, nil end
    share = matches / math.max(1, redis.call('ZCARD', f.n))
  end
  local hits = math.max(passing * share, 0.5)
  local walked = math.max(1, math.min(span, want * span / hits))
  local walkCost = walked * (1 + (check and 1.5 or 0) + (named and 5 or 0))
  if named and search == '' then walkCost = math.huge end
  -- A match walk: the table (~0.6 a match), members read (~0.75), stall tests of the matches.
  local matchStep = 0.75 + (check and 1.5 * share or 0)
  local matchCost = math.huge
  if named then matchCost = matches * 0.6 + walked * matchStep end
  local gatherCost, gathered = math.huge, nil
  if ranges and not (named and search == '') then
    gatherCost, gathered = passing * (named and 3 or 2), ranges
  end
  if named and matches * (f.mode ~= 0 and 2.5 or 2) < gatherCost then
    gatherCost, gathered = matches * (f.mode ~= 0 and 2.5 or 2), false
  end
  if gatherCost == math.huge then return walk(key, f, floor, ceiling, check) end
  -- A run of tied scores is walked in id order, which names often follow (batch 1, batch 2…):
  -- the matches would bunch there, so a match walk that would start in a longer run than it
  -- walks is not worth its table.
  if matchCost < math.min(walkCost, gatherCost) then
    local first = hasCursor and cursor or nil
    if not first then
      local at = redis.call('ZRANGE', key, asc and floor or ceiling - 1, asc and floor or ceiling - 1, 'WITHSCORES')
      first = at[2]
    end
    if first and redis.call('ZCOUNT', key, first, first) >= walked then matchCost = math.huge end
  end
  if gatherCost <= walkCost and gatherCost <= matchCost then return gather(key, f, gathered or nil), nil end
  -- The estimate assumes the passing entries spread evenly over the set; when they bunch
  -- (names that follow the ids, a sort's ties broken by id), give up at the gather's cost.
  local kept
  if matchCost < walkCost then
    -- Evenly spread matches fill the page within ~walked entries (± a few × stride × √want):
    -- past half as many again, they bunch; and the walk never costs more than the gather left.
    local stride = walked / want
    local giveUp = math.min(math.ceil((gatherCost - matches * 0.6) / matchStep),
      math.ceil(1.5 * walked + 4 * stride * math.sqrt(want)))
    giveUp = math.max(want, giveUp)
    kept = matchWalk(key, f, floor, ceiling, check, matchesOf(f), stride, giveUp)
  else
    kept = walk(key, f, floor, ceiling, check, math.max(want, math.ceil(gatherCost / (walkCost / walked))))
  end
  if kept then return kept, nil end
  return gather(key, f, gathered or nil), nil
end
local lists, frontier = {}, nil
for s = 1, sets do
  local kept, stop = read(KEYS[1 + s], filters[s])
  if #kept > 0 then lists[#lists + 1] = {kept, 1} end
  if stop and (not frontier or before(stop, frontier)) then frontier = stop end
end
-- Each list is in order already: merge their heads, want entries at most.
local entries = {}
while #entries < want do
  local best = nil
  for _, list in ipairs(lists) do
    local head = list[1][list[2]]
    if head and (not best or before(head, best[1][best[2]])) then best = list end
  end
  if not best then break end
  entries[#entries + 1] = best[1][best[2]]
  best[2] = best[2] + 1
end
local n = #entries
-- Past the earliest frontier, a set that stopped short may hold entries not read yet.
if frontier then
  while n > 0 and before(frontier, entries[n]) do n = n - 1 end
end
local reply = {}
if n > 0 then
  local ids = {}
  for k = 1, n do ids[k] = idOf(entries[k][1]) end
  local values = redis.call('HMGET', KEYS[1], unpack(ids))
  for k = 1, n do
    reply[#reply + 1] = entries[k][1]
    reply[#reply + 1] = entries[k][3]
    reply[#reply + 1] = values[k]
  end
end
local stop = {}
if frontier and n < want then stop = {frontier[1], frontier[3]} end
return {reply, stop, pageCounts()}
`;
