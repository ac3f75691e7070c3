# subset($want): true when every key of $want is in the input with an
# equal value (recursively); arrays must have the same length and match
# element by element. Used by the golden tests, whose expectations are
# written by hand and name only the fields that were checked.
def subset($want):
  . as $have
  | if ($want | type) == "object" then
      ($have | type) == "object" and
      ([$want | keys[] | . as $k
        | ($have | has($k)) and ($have[$k] | subset($want[$k]))] | all)
    elif ($want | type) == "array" then
      ($have | type) == "array" and ($have | length) == ($want | length) and
      ([range(0; $want | length) | . as $i
        | $have[$i] | subset($want[$i])] | all)
    else $have == $want end;
