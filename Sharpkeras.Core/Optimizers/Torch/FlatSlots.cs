using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sharpkeras.Optimizers.Torch;

/// <summary>
/// The slot variables (moment estimates, …) of several parameters of one device and dtype, kept in one flat buffer
/// per slot, with a flat gradient buffer beside them. An elementwise update rule then runs as a handful of
/// operations per <see cref="Window"/> of the buffers instead of a handful per parameter: for LeNet-5's ten weights,
/// Adam goes from about 80 libtorch calls per step to about 30.
/// <para>
/// Windows hold whole parameters (a parameter longer than a window is cut into window-long pieces), so a window's
/// moments are updated, its denominator written to a window-sized scratch buffer, and its parameters stepped before
/// the next window starts: the scratch memory is one window, not one copy of the weights. On the CPU a window holds
/// fewer elements than libtorch's parallel grain (32,768) while the model is small, so each operation runs on the
/// calling thread: waking the OpenMP workers costs more than the work (about 50 µs per operation with
/// <c>OMP_WAIT_POLICY=PASSIVE</c>, against 3–6 µs for 30,000 elements on one thread). Larger models and other
/// devices use windows of millions of elements, where the threads (or the GPU) pay off.
/// </para>
/// Each parameter's slot is also available as a view shaped like the parameter (<see cref="SlotView"/>), which is
/// what saving reads and writes.
/// </summary>
internal sealed class FlatSlots : IDisposable
{
    /// <summary>libtorch's serial limit for elementwise CPU operations (at::internal::GRAIN_SIZE is 32,768).</summary>
    internal const long SerialWindow = 32_767;

    /// <summary>Up to this many elements, CPU windows stay serial; above, windows of <see cref="LargeWindow"/> use the threads.</summary>
    internal const long SerialTotalLimit = 8 * SerialWindow;

    /// <summary>The window length of larger models and of accelerators.</summary>
    internal const long LargeWindow = 1L << 22;

    private readonly Parameter[] _parameters;
    private readonly long[] _offsets, _numels;
    private readonly long _total, _windowLength, _pad;
    private static long _instances;
    private Tensor[] _slots;
    private Tensor _gradStorage, _grad, _scratch;
    private Tensor[][] _slotViews = [];
    private Tensor[] _gradViews = [];
    private Window[] _windows = [];

    /// <summary>A part of one parameter no longer than a window: the parameter, the part's offset in it, its slot views.</summary>
    internal sealed record Piece(int Index, long Offset, long Length, bool Whole, Tensor[] Slots, Tensor Scratch);

    /// <summary>Consecutive pieces: the windows of each slot buffer and of the gradient buffer, the scratch buffer's first elements, the pieces.</summary>
    internal sealed record Window(Tensor[] Slots, Tensor Grad, Tensor Scratch, Piece[] Pieces);

    /// <summary>Creates zero-filled slots for <paramref name="parameters"/> (all of one device and dtype).</summary>
    /// <param name="parameters">The parameters, in the optimizer's order.</param>
    /// <param name="slotCount">Slot buffers per parameter.</param>
    public FlatSlots(IReadOnlyList<Parameter> parameters, int slotCount)
    {
        if (parameters.Count == 0) throw new ArgumentException("No parameters.", nameof(parameters));
        _parameters = parameters.ToArray();
        _numels = _parameters.Select(p => p.numel()).ToArray();
        _offsets = new long[_numels.Length];
        for (int i = 1; i < _offsets.Length; i++) _offsets[i] = _offsets[i - 1] + _numels[i - 1];
        _total = _offsets[^1] + _numels[^1];
        Device = _parameters[0].device;
        DType = _parameters[0].dtype;
        _windowLength = Math.Max(1, Device.type == DeviceType.CPU && _total <= SerialTotalLimit ? SerialWindow : Math.Min(_total, LargeWindow));
        using var _ = torch.no_grad();
        _slots = Enumerable.Range(0, slotCount).Select(_ => Zeros(_total)).ToArray();
        // The gradient buffer starts a few elements into its storage, by an amount that differs from one instance to the
        // next: a gradient allocated elsewhere has storage offset 0, and one left attached to another instance's
        // buffer (an optimizer rebuilt for the same weights) has another offset.
        _pad = 1 + Interlocked.Increment(ref _instances) % 4096;
        _gradStorage = Zeros(_total + _pad);
        _grad = _gradStorage.narrow(0, _pad, _total).DetachFromDisposeScope();
        _scratch = Zeros(Math.Min(_windowLength, _total));
        MakeViews();
    }

    /// <summary>
    /// One instance per (device, dtype) among <paramref name="parameters"/> (order kept within each), with the indices of
    /// its parameters in <paramref name="parameters"/>.
    /// </summary>
    /// <param name="parameters">The optimizer's weights, in its order.</param>
    /// <param name="slotCount">Slot buffers per parameter.</param>
    public static List<(FlatSlots Slots, int[] Indices)> PerDeviceAndType(IReadOnlyList<Parameter> parameters, int slotCount) =>
        Enumerable.Range(0, parameters.Count)
            .GroupBy(i => (parameters[i].device.ToString(), parameters[i].dtype))
            .Select(g => g.ToArray())
            .Select(idx => (new FlatSlots(idx.Select(i => parameters[i]).ToList(), slotCount), idx))
            .ToList();

    /// <summary>The device of the buffers.</summary>
    public Device Device { get; private set; }

    /// <summary>The dtype of the buffers (the parameters').</summary>
    public ScalarType DType { get; }

    /// <summary>The parameters, in order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>
    /// Whether every parameter cut into pieces can be stepped piece by piece (it is contiguous, so its flat view
    /// aliases it); when not, the caller updates per parameter.
    /// </summary>
    public bool Splittable { get; private set; } = true;

    /// <summary>The windows, in order; together they cover every parameter once.</summary>
    public IReadOnlyList<Window> Windows => _windows;

    /// <summary>Slot <paramref name="slot"/> of parameter <paramref name="index"/>, a view shaped like the parameter.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="index">The parameter's index.</param>
    public Tensor SlotView(int slot, int index) => _slotViews[slot][index];

    /// <summary>
    /// Zeroes the flat gradient buffer and makes each parameter's <c>.grad</c> its view of it, so that the next backward
    /// pass accumulates into the buffer in place (libtorch adds to an existing gradient without replacing it, which
    /// is what DistributedDataParallel's gradient-as-bucket-view relies on too). The parameters keep their gradient
    /// memory from step to step, as with torch's <c>zero_grad()</c>.
    /// </summary>
    public void AttachGradients()
    {
        foreach (var w in _windows) w.Grad.zero_();
        for (int i = 0; i < _parameters.Length; i++) _parameters[i].grad = _gradViews[i];
    }

    /// <summary>
    /// Makes the flat gradient buffer hold every parameter's gradient: true at once when each <c>.grad</c> is still
    /// the view <see cref="AttachGradients"/> set (its storage offset says so: the buffer starts at an offset of its own,
    /// and a gradient allocated anywhere else starts at offset 0); otherwise the gradients are copied in.
    /// Returns false when a parameter has no gradient or a sparse one: the caller then updates per parameter.
    /// </summary>
    public bool GatherGradients()
    {
        bool attached = true;
        for (int i = 0; i < _parameters.Length && attached; i++)
        {
            using var g = _parameters[i].grad;
            attached = g is not null && g.storage_offset() == _pad + _offsets[i] && g.dtype == DType;
        }
        if (attached) return true;
        var grads = new Tensor?[_parameters.Length];
        try
        {
            for (int i = 0; i < _parameters.Length; i++)
            {
                grads[i] = _parameters[i].grad;
                if (grads[i] is not Tensor g || g.is_sparse) return false;
            }
            for (int i = 0; i < _parameters.Length; i++) _gradViews[i].copy_(grads[i]!);
            return true;
        }
        finally
        {
            foreach (var g in grads) g?.Dispose();
        }
    }

    /// <summary>
    /// One fast step over every window: <paramref name="rule"/> updates the window's slots from its gradient and leaves
    /// a per-element result in its scratch; then <paramref name="apply"/> changes each piece's weights in place with
    /// it (by default it adds the scratch: the rule wrote the change of the weights there).
    /// </summary>
    /// <param name="rule">The elementwise rule over one window.</param>
    /// <param name="apply">Updates one piece's weights (a view of the parameter, shaped like the piece's scratch), or null to add the scratch.</param>
    public void ApplyWindows(Action<Window> rule, Action<Tensor, Piece>? apply = null)
    {
        foreach (var w in _windows)
        {
            rule(w);
            foreach (var piece in w.Pieces)
            {
                var p = _parameters[piece.Index];
                if (piece.Whole) { Apply(p, piece); continue; }
                using var flat = p.view(-1);
                using var part = flat.narrow(0, piece.Offset, piece.Length);
                Apply(part, piece);
            }
        }

        void Apply(Tensor weights, Piece piece)
        {
            if (apply is null) weights.add_(piece.Scratch);
            else apply(weights, piece);
        }
    }

    /// <summary>Moves the buffers to the parameters' device when they moved; true when it did (slot views are new then).</summary>
    public bool FollowParameters()
    {
        var device = _parameters[0].device;
        if (Engine.DeviceUtils.Same(device, Device)) return false;
        MoveTo(device);
        return true;
    }

    /// <summary>A scratch tensor shaped like parameter <paramref name="index"/> for the per-parameter path (the caller disposes it).</summary>
    /// <param name="index">The parameter's index.</param>
    public Tensor ScratchFor(int index) => torch.empty_like(_gradViews[index]);

    /// <summary>Moves the buffers (and their values) to <paramref name="device"/>.</summary>
    /// <param name="device">The parameters' new device.</param>
    private void MoveTo(Device device)
    {
        using var _ = torch.no_grad();
        DisposeViews();
        for (int i = 0; i < _slots.Length; i++) _slots[i] = _slots[i].to(device, disposeAfter: true).DetachFromDisposeScope();
        _grad.Dispose();
        _gradStorage = _gradStorage.to(device, disposeAfter: true).DetachFromDisposeScope();
        _grad = _gradStorage.narrow(0, _pad, _total).DetachFromDisposeScope();
        _scratch = _scratch.to(device, disposeAfter: true).DetachFromDisposeScope();
        Device = device;
        MakeViews();
    }

    private Tensor Zeros(long n) => torch.zeros([n], dtype: DType, device: Device).DetachFromDisposeScope();

    private void MakeViews()
    {
        Tensor[] PerParameter(Tensor flat) =>
            _parameters.Select((p, i) => flat.narrow(0, _offsets[i], _numels[i]).view(p.shape).DetachFromDisposeScope()).ToArray();
        _slotViews = _slots.Select(PerParameter).ToArray();
        _gradViews = PerParameter(_grad);

        // Pieces in parameter order, packed greedily into windows of at most _windowLength elements.
        var windows = new List<Window>();
        var pieces = new List<(int Index, long Offset, long Length)>();
        long windowStart = 0, windowLength = 0;
        void Close()
        {
            if (pieces.Count == 0) return;
            long start = windowStart, length = windowLength;
            Tensor Cut(Tensor flat, long at, long n) => flat.narrow(0, at, n).DetachFromDisposeScope();
            var made = new List<Piece>();
            long inWindow = 0;
            foreach (var (i, off, n) in pieces)
            {
                bool whole = n == _numels[i];
                var slots = whole ? _slotViews.Select(v => v[i]).ToArray() : _slots.Select(s => Cut(s, _offsets[i] + off, n)).ToArray();
                var scratch = Cut(_scratch, inWindow, n);
                if (whole)
                {
                    var flat = scratch;
                    scratch = flat.view(_parameters[i].shape).DetachFromDisposeScope();
                    flat.Dispose();
                }
                made.Add(new Piece(i, off, n, whole, slots, scratch));
                inWindow += n;
            }
            windows.Add(new Window(_slots.Select(s => Cut(s, start, length)).ToArray(), Cut(_grad, start, length), Cut(_scratch, 0, length), made.ToArray()));
            pieces.Clear();
            windowStart += windowLength;
            windowLength = 0;
        }
        for (int i = 0; i < _parameters.Length; i++)
        {
            for (long off = 0; off < _numels[i];)
            {
                long n = Math.Min(_windowLength, _numels[i] - off);
                if (windowLength + n > _windowLength) Close();
                pieces.Add((i, off, n));
                windowLength += n;
                off += n;
            }
        }
        Close();
        _windows = windows.ToArray();
        Splittable = _windows.SelectMany(w => w.Pieces).All(p => p.Whole || _parameters[p.Index].is_contiguous());
    }

    private void DisposeViews()
    {
        foreach (var views in _slotViews) foreach (var v in views) v.Dispose();
        foreach (var v in _gradViews) v.Dispose();
        foreach (var w in _windows)
        {
            foreach (var s in w.Slots) s.Dispose();
            w.Grad.Dispose();
            w.Scratch.Dispose();
            foreach (var p in w.Pieces)
            {
                if (!p.Whole) foreach (var s in p.Slots) s.Dispose(); // whole pieces share the per-parameter views
                p.Scratch.Dispose();
            }
        }
        _slotViews = [];
        _gradViews = [];
        _windows = [];
    }

    /// <summary>Frees the buffers and their views.</summary>
    public void Dispose()
    {
        DisposeViews();
        foreach (var s in _slots) s.Dispose();
        _grad.Dispose();
        _gradStorage.Dispose();
        _scratch.Dispose();
    }
}
