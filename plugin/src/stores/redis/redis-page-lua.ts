/**
 * page: the next entries of one sort over a scope's sets of some statuses, merged in order,
 * with their stored values. Each set is walked in chunks from the cursor; a set of a live
 * status (started, running) may keep only its records that read `running`/`started` now, or
 * only the stalled ones, told apart here without reading the records: a regular record
 * stalls when its updatedAt score is below now − 3 × interval, an irregular one when its
 * stall entry is below now. A walk examines at most 20,000 entries per set and call; when
 * one stops short, the reply ends at its frontier and the caller goes on from there.
 *
 * KEYS  [1] the scope's hash, then S sets (of one sort) to merge, then the aux keys of filters
 * ARGV  [1] 'asc' or 'desc'; [2] 'lex' (name sets: score 0, member = key NUL id) or 'score'
 *       [3] how many entries; [4] '1' when a cursor follows, else '0'
 *       [5] cursor: score (or, for lex, the member key NUL id); [6] cursor id (score sets)
 *       [7] now ms; [8] S
 *       then per set 4 fields: filter (0 none, 1 keep not stalled, 2 keep stalled), stall
 *       threshold (now − 3 × interval, '' when the status has no interval), the KEYS index of
 *       the status's u set, of its t set; then '1' when this set is that u set (its score is
 *       the updatedAt: the threshold cuts it as a range), else '0' — 5 fields in all
 *       then R, then R name key prefixes in ascending order (lex only; R = 0: every member)
 * Returns { {member, score, value} × n flat, frontier {member, score} or {} }.
 */
export const PAGE_LUA = `
local asc, lex, want = ARGV[1] == 'asc', ARGV[2] == 'lex', tonumber(ARGV[3])
local hasCursor, cursor, cursorId = ARGV[4] == '1', ARGV[5], ARGV[6]
local now, sets = tonumber(ARGV[7]), tonumber(ARGV[8])
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
local idOf = function(member) return member end
if lex then idOf = function(member) return string.sub(member, (string.find(member, '\\0', 1, true) or 0) + 1) end end
local a = 9
local filters = {}
for s = 1, sets do
  filters[s] = {mode = tonumber(ARGV[a]), threshold = ARGV[a + 1] ~= '' and tonumber(ARGV[a + 1]) or nil,
    u = KEYS[tonumber(ARGV[a + 2])], t = KEYS[tonumber(ARGV[a + 3])], isU = ARGV[a + 4] == '1'}
  a = a + 5
end
local prefixes = {}
if lex then
  local r = tonumber(ARGV[a])
  for k = 1, r do prefixes[k] = ARGV[a + k] end
  if r == 0 then prefixes[1] = '' end
end
local function stalled(f, id)
  local u = redis.call('ZSCORE', f.u, id)
  if u then return f.threshold ~= nil and num(u) < f.threshold end
  local t = redis.call('ZSCORE', f.t, id)
  return t and num(t) < now or false
end
-- Walks one set: its next entries that pass its filter, up to want; and where it stopped short.
local function walk(key, f)
  local kept, examined, frontier = {}, 0, nil
  local function offer(entry)
    examined = examined + 1
    if f.mode == 0 or (stalled(f, idOf(entry[1])) == (f.mode == 2)) then kept[#kept + 1] = entry end
    if #kept >= want then return true end
    if examined >= BUDGET then frontier = entry return true end
    return false
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
  local card = redis.call('ZCARD', key)
  -- On a status's own u set the threshold is a score: the wanted records are one range of it.
  local floor, ceiling = 0, card
  if f.isU and f.threshold then
    local cut = redis.call('ZCOUNT', key, '-inf', '(' .. string.format('%.0f', f.threshold))
    if f.mode == 1 then floor = cut elseif f.mode == 2 then ceiling = cut end
  end
  if asc then
    local start = math.max(floor, hasCursor and rank(key, cursor, cursorId, false) or 0)
    while start < ceiling do
      local stop = math.min(ceiling, start + math.min(1000, math.max(64, want - #kept))) - 1
      local flat = redis.call('ZRANGE', key, start, stop, 'WITHSCORES')
      for k = 1, #flat, 2 do
        if offer({flat[k], num(flat[k + 1]), flat[k + 1]}) then return kept, frontier end
      end
      start = stop + 1
    end
  else
    local stop = math.min(ceiling, hasCursor and rank(key, cursor, cursorId, true) or card)
    while stop > floor do
      local start = math.max(floor, stop - math.min(1000, math.max(64, want - #kept)))
      local flat = redis.call('ZRANGE', key, start, stop - 1, 'WITHSCORES')
      for k = #flat - 1, 1, -2 do
        if offer({flat[k], num(flat[k + 1]), flat[k + 1]}) then return kept, frontier end
      end
      stop = start
    end
  end
  return kept, frontier
end
local lists, frontier = {}, nil
for s = 1, sets do
  local kept, stop = walk(KEYS[1 + s], filters[s])
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
return {reply, stop}
`;
