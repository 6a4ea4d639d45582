using static TorchSharp.torch;

namespace Sharpkeras.Distribution;

/// <summary>
/// Reassembles sharded predictions: every global batch was split over the ranks with <see cref="BatchSharding"/>;
/// each rank broadcasts its rows in turn and every rank copies them to their places, so every rank ends with the
/// whole predictions in the original order.
/// </summary>
internal static class PredictionGatherer
{
    /// <param name="comm">The ranks.</param>
    /// <param name="batchRows">The size of every global batch, in order (the same on every rank).</param>
    /// <param name="local">This rank's outputs for each global batch it had rows of, in order (batches where its slice was empty are absent).</param>
    public static Tensor[] Gather(ICommunicator comm, IReadOnlyList<long> batchRows, IReadOnlyList<Tensor[]> local)
    {
        int size = comm.Size, rank = comm.Rank;
        long total = batchRows.Sum();
        long mine = 0;
        foreach (long n in batchRows) mine += BatchSharding.Slice(n, rank, size).length;
        long held = local.Sum(o => o.Length > 0 ? o[0].shape[0] : 0);
        if (held != mine)
            throw new InvalidOperationException($"Rank {rank} holds {held} predicted rows but its slices of the batches have {mine}: every output must have the samples on its first axis.");
        using (var check = torch.tensor(new double[] { batchRows.Count, total }))
        {
            comm.AllReduceSum(check);
            var s = check.data<double>().ToArray();
            if (s[0] != batchRows.Count * (double)size || s[1] != total * (double)size)
                throw new DistributedTrainingException(
                    $"Rank {rank} predicted {batchRows.Count} batches with {total} samples, which differs from another rank: with automatic sharding " +
                    "every rank must pass Predict the same data (or use DataParallel(autoShardDataset: false) and shard it yourself).");
        }

        // The chief always holds rows (it gets the first slice of every batch): it tells the others the outputs' types and shapes.
        var meta = new List<long>();
        if (rank == 0)
        {
            meta.Add(local[0].Length);
            foreach (var t in local[0])
            {
                meta.Add((long)t.dtype);
                meta.Add(t.dim() - 1);
                for (int d = 1; d < t.dim(); d++) meta.Add(t.shape[d]);
            }
        }
        using (var len = torch.tensor(new long[] { meta.Count }))
        {
            comm.Broadcast(len, 0);
            if (rank != 0) meta.AddRange(new long[len.data<long>()[0]]);
        }
        using (var m = torch.tensor(meta.ToArray()))
        {
            comm.Broadcast(m, 0);
            meta = m.data<long>().ToList();
        }

        int outputs = (int)meta[0];
        var result = new Tensor[outputs];
        int at = 1;
        for (int i = 0; i < outputs; i++)
        {
            var dtype = (ScalarType)meta[at++];
            int trailingRank = (int)meta[at++];
            var trailing = meta.GetRange(at, trailingRank).ToArray();
            at += trailingRank;
            var transport = TransportType(dtype);
            var full = torch.empty([total, .. trailing], dtype: dtype);
            for (int r = 0; r < size; r++)
            {
                long rows = 0;
                foreach (long n in batchRows) rows += BatchSharding.Slice(n, r, size).length;
                if (rows == 0) continue;
                using var scope = NewDisposeScope();
                var buffer = r == rank
                    ? torch.cat(local.Select(o => o[i].cpu().to(transport)).ToArray(), 0).contiguous()
                    : torch.empty([rows, .. trailing], dtype: transport);
                if (!buffer.shape.Skip(1).SequenceEqual(trailing))
                    throw new InvalidOperationException($"Rank {rank}'s output {i} has shape ({string.Join(", ", buffer.shape)}) but the chief's has (…, {string.Join(", ", trailing)}).");
                comm.Broadcast(buffer, r);
                var values = buffer.to(dtype);
                long offset = 0, read = 0;
                foreach (long n in batchRows)
                {
                    var (start, length) = BatchSharding.Slice(n, r, size);
                    if (length > 0) full.narrow(0, offset + start, length).copy_(values.narrow(0, read, length));
                    offset += n;
                    read += length;
                }
            }
            result[i] = full.DetachFromDisposeScope();
        }
        return result;
    }

    /// <summary>The type a column travels as: one the communicators move as is, into which the values convert exactly.</summary>
    private static ScalarType TransportType(ScalarType t) => t switch
    {
        ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64 or ScalarType.Int32 or ScalarType.Byte => t,
        ScalarType.Float16 or ScalarType.BFloat16 => ScalarType.Float32,
        _ => ScalarType.Int64, // bool, int8, int16
    };
}
