// The tests share one kernel and two cores; running them one at a time keeps timing
// assertions ("the first ping answers") meaningful and failures readable.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
