#!/usr/bin/env python3
"""Writes the .keras fixtures of Sharpkeras.Tests/Saving/KerasFormatTests.cs.

Each file is laid out exactly as Keras 3's saving_lib writes it (a zip with metadata.json, config.json in
serialization_lib's format, and model.weights.h5 with one `<path>/vars` group per layer holding datasets
"0", "1", ... in the layer's variable order). Keras itself is not needed: the configs are written out here,
the weights are seeded random numbers, and the expected predictions are computed with plain numpy from the
layers' definitions (conv, transposed conv, separable conv, batch and layer norm, max pooling, dense, embedding,
multi-head attention with a causal mask, LSTM and GRU (both reset_after forms) and SimpleRNN equations with
Keras's masking, Bidirectional), so the tests check Sharpkeras against the math, not against itself. The newer
fixtures also carry every empty "vars" group with its "name" attribute, as Keras 3 writes them.

Run with Debian's python3-h5py and python3-numpy:  /usr/bin/python3 make_keras_fixtures.py
"""
import io
import json
import os
import zipfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20261202)


def policy():
    return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}


def init(name, config=None):
    return {"module": "keras.initializers", "class_name": name, "config": config or {}, "registered_name": None}


def layer(class_name, config, build_shape=None, inbound=None):
    rec = {"module": "keras.layers", "class_name": class_name, "config": config, "registered_name": None}
    if build_shape is not None:
        rec["build_config"] = {"input_shape": build_shape}
    if inbound is not None:
        rec["name"] = config["name"]
        rec["inbound_nodes"] = inbound
    return rec


def base(name):
    return {"name": name, "trainable": True, "dtype": policy()}


def tensor(shape, history):
    return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32", "keras_history": history}}


def write_zip(path, config, h5bytes):
    """The .keras zip, with fixed entry timestamps so that re-running the script reproduces the files. Deflated
    (Keras stores them uncompressed; readers accept both) to keep the committed fixtures small."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in [("metadata.json", json.dumps({"keras_version": "3.10.0", "date_saved": "2026-12-02@10:00:00"})),
                           ("config.json", json.dumps(config)), ("model.weights.h5", h5bytes)]:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 2, 10, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)


def write_keras(path, config, weights):
    """weights: list of (group path, [arrays]): only the groups that hold variables."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for group, arrays in weights:
            g = f.create_group(group).create_group("vars")
            for i, a in enumerate(arrays):
                g[str(i)] = a.astype(np.float32)
    write_zip(path, config, buf.getvalue())


def write_keras_full(path, config, groups):
    """groups: (path, object name, [arrays]) for every saveable, as Keras 3's saving_lib writes them: a "vars" group
    per object (the model's at the root), created even when empty, with the object's name as its "name" attribute."""
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for group, name, arrays in groups:
            g = f.create_group(group + "/vars" if group else "vars")
            g.attrs["name"] = name
            for i, a in enumerate(arrays):
                g[str(i)] = a.astype(np.float32)
    write_zip(path, config, buf.getvalue())


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def r(*shape):
    return rng.standard_normal(shape).astype(np.float32) * 0.5


# ------------------------------------------------------------------ 1. Sequential CNN
def sequential_cnn():
    k, b = r(3, 3, 2, 3), r(3)
    gamma, beta, mean, var = r(3) + 1.0, r(3), r(3), np.abs(r(3)) + 0.5
    dk, db = r(12, 2), r(2)
    config = {
        "module": "keras", "class_name": "Sequential", "registered_name": None,
        "config": {"name": "sequential", "trainable": True, "dtype": policy(), "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_shape": [None, 6, 6, 2], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_layer"}},
            layer("Conv2D", {**base("conv2d"), "filters": 3, "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                             "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1, "activation": "relu",
                             "use_bias": True, "kernel_initializer": init("GlorotUniform", {"seed": None}),
                             "bias_initializer": init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
                             "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None},
                  [None, 6, 6, 2]),
            layer("BatchNormalization", {**base("batch_normalization"), "axis": -1, "momentum": 0.99, "epsilon": 0.001,
                                         "center": True, "scale": True, "beta_initializer": init("Zeros"),
                                         "gamma_initializer": init("Ones"), "moving_mean_initializer": init("Zeros"),
                                         "moving_variance_initializer": init("Ones"), "beta_regularizer": None,
                                         "gamma_regularizer": None, "beta_constraint": None, "gamma_constraint": None,
                                         "synchronized": False},
                  [None, 4, 4, 3]),
            layer("MaxPooling2D", {**base("max_pooling2d"), "pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
                                   "data_format": "channels_last"}),
            layer("Flatten", {**base("flatten"), "data_format": "channels_last"}),
            layer("Dense", {**base("dense"), "units": 2, "activation": "softmax", "use_bias": True,
                            "kernel_initializer": init("GlorotUniform", {"seed": None}), "bias_initializer": init("Zeros"),
                            "kernel_regularizer": None, "bias_regularizer": None, "kernel_constraint": None,
                            "bias_constraint": None, "quantization_config": None},
                  [None, 12]),
        ], "build_input_shape": [None, 6, 6, 2]},
        "build_config": {"input_shape": [None, 6, 6, 2]},
        "compile_config": {
            "optimizer": {"module": "keras.optimizers", "class_name": "Adam", "registered_name": None,
                          "config": {"name": "adam", "learning_rate": 0.002, "weight_decay": None, "clipnorm": None,
                                     "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                                     "ema_overwrite_frequency": None, "loss_scale_factor": None,
                                     "gradient_accumulation_steps": None, "beta_1": 0.9, "beta_2": 0.999,
                                     "epsilon": 1e-07, "amsgrad": False}},
            "loss": "sparse_categorical_crossentropy", "loss_weights": None, "metrics": ["accuracy"],
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False},
    }
    weights = [("layers/conv2d", [k, b]), ("layers/batch_normalization", [gamma, beta, mean, var]),
               ("layers/dense", [dk, db])]
    x = r(2, 6, 6, 2)
    conv = np.zeros((2, 4, 4, 3), np.float64)
    for i in range(4):
        for j in range(4):
            conv[:, i, j, :] = np.einsum("nhwc,hwcf->nf", x[:, i:i + 3, j:j + 3, :], k) + b
    conv = np.maximum(conv, 0)
    bn = (conv - mean) / np.sqrt(var + 0.001) * gamma + beta
    pool = bn.reshape(2, 2, 2, 2, 2, 3).max(axis=(2, 4))
    y = softmax(pool.reshape(2, 12) @ dk + db)
    write_keras(os.path.join(HERE, "sequential_cnn.keras"), config, weights)
    return {"x": x.tolist(), "x_shape": list(x.shape), "y": y.tolist(), "y_shape": list(y.shape)}


# ------------------------------------------------------------------ 2. Functional LSTM -> GRU -> Dense -> Dense
def functional_rnn():
    T, F, U1, U2 = 4, 3, 5, 4
    lk, lr_, lb = r(F, 4 * U1), r(U1, 4 * U1), r(4 * U1)
    gk, gr, gb = r(U1, 3 * U2), r(U2, 3 * U2), r(2, 3 * U2)
    d1k, d1b, d2k, d2b = r(U2, 3), r(3), r(3, 1), r(1)
    rnn_common = {"return_state": False, "go_backwards": False, "stateful": False, "unroll": False,
                  "zero_output_for_mask": False, "activation": "tanh", "recurrent_activation": "sigmoid",
                  "use_bias": True, "kernel_initializer": init("GlorotUniform", {"seed": None}),
                  "recurrent_initializer": init("Orthogonal", {"gain": 1.0, "seed": None}),
                  "bias_initializer": init("Zeros"), "kernel_regularizer": None, "recurrent_regularizer": None,
                  "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None,
                  "recurrent_constraint": None, "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0,
                  "seed": None}
    dense_common = {"use_bias": True, "kernel_initializer": init("GlorotUniform", {"seed": None}),
                    "bias_initializer": init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
                    "kernel_constraint": None, "bias_constraint": None}
    config = {
        "module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
        "config": {"name": "rnn_model", "trainable": True, "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None, "name": "input_layer",
             "config": {"batch_shape": [None, T, F], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_layer"},
             "inbound_nodes": []},
            layer("LSTM", {**base("lstm"), "return_sequences": True, "units": U1, "unit_forget_bias": True, **rnn_common},
                  [None, T, F], [{"args": [tensor([None, T, F], ["input_layer", 0, 0])], "kwargs": {"training": False, "mask": None}}]),
            layer("GRU", {**base("gru"), "return_sequences": False, "units": U2, "reset_after": True, **rnn_common},
                  [None, T, U1], [{"args": [tensor([None, T, U1], ["lstm", 0, 0])], "kwargs": {"training": False, "mask": None}}]),
            layer("Dense", {**base("dense"), "units": 3, "activation": "relu", **dense_common},
                  [None, U2], [{"args": [tensor([None, U2], ["gru", 0, 0])], "kwargs": {}}]),
            layer("Dense", {**base("dense_1"), "units": 1, "activation": "sigmoid", **dense_common},
                  [None, 3], [{"args": [tensor([None, 3], ["dense", 0, 0])], "kwargs": {}}]),
        ], "input_layers": ["input_layer", 0, 0], "output_layers": ["dense_1", 0, 0]},
        "build_config": {"input_shape": None},
    }
    weights = [("layers/lstm/cell", [lk, lr_, lb]), ("layers/gru/cell", [gk, gr, gb]),
               ("layers/dense", [d1k, d1b]), ("layers/dense_1", [d2k, d2b])]
    x = r(2, T, F).astype(np.float64)
    h, c = np.zeros((2, U1)), np.zeros((2, U1))
    seq = []
    for t in range(T):
        z = x[:, t] @ lk + h @ lr_ + lb
        i, f, g, o = np.split(z, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h = sigmoid(o) * np.tanh(c)
        seq.append(h)
    h2 = np.zeros((2, U2))
    for t in range(T):
        mx = seq[t] @ gk + gb[0]
        mi = h2 @ gr + gb[1]
        xz, xr, xh = np.split(mx, 3, axis=-1)
        rz, rr, rh = np.split(mi, 3, axis=-1)
        zg, rg = sigmoid(xz + rz), sigmoid(xr + rr)
        hh = np.tanh(xh + rg * rh)
        h2 = zg * h2 + (1 - zg) * hh
    y = sigmoid(np.maximum(h2 @ d1k + d1b, 0) @ d2k + d2b)
    write_keras(os.path.join(HERE, "functional_rnn.keras"), config, weights)
    return {"x": x.tolist(), "x_shape": list(x.shape), "y": y.tolist(), "y_shape": list(y.shape)}


# ------------------------------------------------------------------ 3. hostile files
def small_dense_config(units):
    return {
        "module": "keras", "class_name": "Sequential", "registered_name": None,
        "config": {"name": "sequential", "trainable": True, "dtype": policy(), "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_shape": [None, 4], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_layer"}},
            layer("Dense", {**base("dense"), "units": units, "activation": "linear", "use_bias": True}, [None, 4]),
        ]},
    }


def hostile():
    # A kernel dataset that declares (2^20, 2^20) float32 values (4 TiB) but stores none: chunked, never written.
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        g = f.create_group("layers/dense").create_group("vars")
        g.create_dataset("0", shape=(1 << 20, 1 << 20), dtype="f4", chunks=(64, 64))
        g["1"] = np.zeros(2, np.float32)
    with zipfile.ZipFile(os.path.join(HERE, "giant_dataset.keras"), "w") as zf:
        for name, data in [("config.json", json.dumps(small_dense_config(2))), ("model.weights.h5", buf.getvalue())]:
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 12, 2, 10, 0, 0)), data)
    # A config whose Dense layer would need 4 * 2^28 weights while the file holds a few bytes.
    write_keras(os.path.join(HERE, "giant_layer.keras"), small_dense_config(1 << 28),
                [("layers/dense", [np.zeros((4, 2)), np.zeros(2)])])


# ------------------------------------------------------------------ 4. Functional: MHA, Bidirectional GRU, Conv2DTranspose,
#                                                                       SeparableConv2D, nested Sequential, two outputs
def init_glorot():
    return init("GlorotUniform", {"seed": None})


def rnn_config(name, units, **extra):
    return {**base(name), "return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False,
            "unroll": False, "zero_output_for_mask": False, "units": units, "activation": "tanh",
            "recurrent_activation": "sigmoid", "use_bias": True, "kernel_initializer": init_glorot(),
            "recurrent_initializer": init("Orthogonal", {"gain": 1.0, "seed": None}), "bias_initializer": init("Zeros"),
            "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
            "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None,
            "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None, **extra}


def dense_config(name, units, activation):
    return {**base(name), "units": units, "activation": activation, "use_bias": True, "kernel_initializer": init_glorot(),
            "bias_initializer": init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
            "kernel_constraint": None, "bias_constraint": None, "quantization_config": None}


def input_record(name, shape, dtype="float32", functional=True):
    rec = {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
           "config": {"batch_shape": shape, "dtype": dtype, "sparse": False, "ragged": False, "name": name, "optional": False}}
    if functional:
        rec["name"] = name
        rec["inbound_nodes"] = []
    return rec


def node(args, **kwargs):
    return {"args": args, "kwargs": kwargs}


def gru_cell_reset_before(x, h, k, rk, b, u):
    """Keras's GRUCell with reset_after=False: the reset gate applied to h before its recurrent product."""
    xz, xr, xh = x @ k[:, :u] + b[:u], x @ k[:, u:2 * u] + b[u:2 * u], x @ k[:, 2 * u:] + b[2 * u:]
    z = sigmoid(xz + h @ rk[:, :u])
    r = sigmoid(xr + h @ rk[:, u:2 * u])
    hh = np.tanh(xh + (r * h) @ rk[:, 2 * u:])
    return z * h + (1 - z) * hh


def functional_mixed():
    T, V, D, H, K, U = 5, 12, 4, 2, 3, 3
    emb = r(V, D)
    wq, bq, wk, bk, wv, bv = r(D, H, K), r(H, K), r(D, H, K), r(H, K), r(D, H, K), r(H, K)
    wo, bo = r(H, K, D), r(D)
    fk, fr, fb = r(D, 3 * U), r(U, 3 * U), r(3 * U)
    bk_, br_, bb_ = r(D, 3 * U), r(U, 3 * U), r(3 * U)
    tk, tb = r(3, 3, 3, 2), r(3)                     # Conv2DTranspose: (kh, kw, filters, in)
    dk, pk, sb = r(3, 3, 3, 1), r(1, 1, 3, 2), r(2)  # SeparableConv2D: depthwise, pointwise, bias
    h1k, h1b, h2k, h2b = r(8, 3), r(3), r(3, 2), r(2)

    tokens = rng.integers(0, V, size=(2, T))
    img = r(2, 4, 4, 2).astype(np.float64)
    # Embedding, then MultiHeadAttention(q = v = embeddings, use_causal_mask) returning its scores.
    e = emb[tokens].astype(np.float64)
    q = np.einsum("btd,dhk->bthk", e, wq) + bq
    k = np.einsum("btd,dhk->bthk", e, wk) + bk
    v = np.einsum("btd,dhk->bthk", e, wv) + bv
    scores = np.einsum("bshk,bthk->bhts", k, q / np.sqrt(K))
    causal = np.tril(np.ones((T, T), bool))
    probs = softmax(np.where(causal, scores, -1e9)) * causal
    att = np.einsum("bthk,hkd->btd", np.einsum("bhts,bshk->bthk", probs, v), wo) + bo
    # Bidirectional(GRU(3, reset_after=False)), merge "concat": forward last state, backward (reversed) last state.
    hf = np.zeros((2, U))
    for t in range(T):
        hf = gru_cell_reset_before(att[:, t], hf, fk, fr, fb, U)
    hb = np.zeros((2, U))
    for t in reversed(range(T)):
        hb = gru_cell_reset_before(att[:, t], hb, bk_, br_, bb_, U)
    seq = np.concatenate([hf, hb], axis=-1)
    # Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"): TF's gradient of a SAME convolution,
    # output cell 2i + a (a = 0..2) gets x[i] times kernel tap a; the full 9x9 result cropped to the first 8x8.
    full = np.zeros((2, 9, 9, 3))
    for i in range(4):
        for j in range(4):
            for a in range(3):
                for c in range(3):
                    full[:, 2 * i + a, 2 * j + c, :] += img[:, i, j, :] @ tk[a, c].T
    up = np.maximum(full[:, :8, :8, :] + tb, 0)
    # SeparableConv2D(2, 3, padding="valid"): depthwise 3x3 per channel, then pointwise 1x1, then bias.
    dw = np.zeros((2, 6, 6, 3))
    for a in range(3):
        for c in range(3):
            dw += up[:, a:a + 6, c:c + 6, :] * dk[a, c, :, 0]
    sep = dw @ pk[0, 0] + sb
    pooled = sep.mean(axis=(1, 2))
    merged = np.concatenate([seq, pooled], axis=-1)
    y = np.maximum(merged @ h1k + h1b, 0) @ h2k + h2b

    def t_(shape, history, dtype="float32"):
        return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": dtype, "keras_history": history}}
    gru_f = {"module": "keras.layers", "class_name": "GRU", "registered_name": None,
             "config": rnn_config("forward_gru", U, reset_after=False), "build_config": {"input_shape": [None, T, D]}}
    gru_b = {"module": "keras.layers", "class_name": "GRU", "registered_name": None,
             "config": rnn_config("backward_gru", U, reset_after=False, go_backwards=True), "build_config": {"input_shape": [None, T, D]}}
    head = {"module": "keras", "class_name": "Sequential", "registered_name": None, "name": "head",
            "config": {"name": "head", "trainable": True, "dtype": policy(), "layers": [
                input_record("head_input", [None, 8], functional=False),
                layer("Dense", dense_config("head_dense", 3, "relu"), [None, 8]),
                layer("Dense", dense_config("head_out", 2, "linear"), [None, 3]),
            ], "build_input_shape": [None, 8]},
            "build_config": {"input_shape": [None, 8]},
            "inbound_nodes": [node([t_([None, 8], ["concatenate", 0, 0])])]}
    layers = [
        input_record("tokens", [None, T], "int32"),
        input_record("image", [None, 4, 4, 2]),
        layer("Embedding", {**base("embedding"), "input_dim": V, "output_dim": D, "embeddings_initializer": init("RandomUniform", {"minval": -0.05, "maxval": 0.05, "seed": None}),
                            "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None,
                            "mask_zero": False, "quantization_config": None},
              [None, T], [node([t_([None, T], ["tokens", 0, 0], "int32")])]),
        layer("MultiHeadAttention", {**base("attention"), "num_heads": H, "key_dim": K, "value_dim": K, "dropout": 0.0,
                                     "use_bias": True, "use_gate": False, "output_shape": None, "attention_axes": [1],
                                     "sliding_window": None, "kernel_initializer": init_glorot(), "bias_initializer": init("Zeros"),
                                     "kernel_regularizer": None, "bias_regularizer": None, "activity_regularizer": None,
                                     "kernel_constraint": None, "bias_constraint": None, "seed": None},
              None, [node([t_([None, T, D], ["embedding", 0, 0]), t_([None, T, D], ["embedding", 0, 0])],
                          return_attention_scores=True, use_causal_mask=True)]),
        layer("Bidirectional", {**base("bidirectional"), "merge_mode": "concat", "layer": gru_f, "backward_layer": gru_b},
              [None, T, D], [node([t_([None, T, D], ["attention", 0, 0])])]),
        layer("Conv2DTranspose", {**base("upsample"), "filters": 3, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same",
                                  "output_padding": None, "data_format": "channels_last", "dilation_rate": [1, 1],
                                  "activation": "relu", "use_bias": True, "kernel_initializer": init_glorot(),
                                  "bias_initializer": init("Zeros"), "kernel_regularizer": None, "bias_regularizer": None,
                                  "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None},
              [None, 4, 4, 2], [node([t_([None, 4, 4, 2], ["image", 0, 0])])]),
        layer("SeparableConv2D", {**base("separable"), "depth_multiplier": 1, "filters": 2, "kernel_size": [3, 3], "strides": [1, 1],
                                  "padding": "valid", "data_format": "channels_last", "dilation_rate": [1, 1], "activation": "linear",
                                  "use_bias": True, "depthwise_initializer": init_glorot(), "pointwise_initializer": init_glorot(),
                                  "bias_initializer": init("Zeros"), "depthwise_regularizer": None, "pointwise_regularizer": None,
                                  "bias_regularizer": None, "activity_regularizer": None, "depthwise_constraint": None,
                                  "pointwise_constraint": None, "bias_constraint": None},
              [None, 8, 8, 3], [node([t_([None, 8, 8, 3], ["upsample", 0, 0])])]),
        layer("GlobalAveragePooling2D", {**base("pool"), "data_format": "channels_last", "keepdims": False},
              [None, 6, 6, 2], [node([t_([None, 6, 6, 2], ["separable", 0, 0])])]),
        layer("Concatenate", {**base("concatenate"), "axis": -1},
              [[None, 6], [None, 2]], [node([[t_([None, 6], ["bidirectional", 0, 0]), t_([None, 2], ["pool", 0, 0])]])]),
        head,
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
              "config": {"name": "mixed", "trainable": True, "layers": layers,
                         "input_layers": [["tokens", 0, 0], ["image", 0, 0]],
                         "output_layers": [["head", 0, 0], ["attention", 0, 1]]},
              "build_config": {"input_shape": None}}
    # Keras's layer order (depth from the outputs, then walk order) names the groups; every class appears once
    # except InputLayer ("input_layer", "input_layer_1", empty groups).
    groups = [
        ("", "mixed", []),
        ("layers/input_layer", "tokens", []), ("layers/input_layer_1", "image", []),
        ("layers/embedding", "embedding", [emb]),
        ("layers/multi_head_attention", "attention", []),
        ("layers/multi_head_attention/_dropout_layer", "dropout", []),
        ("layers/multi_head_attention/_key_dense", "key", [wk, bk]),
        ("layers/multi_head_attention/_output_dense", "attention_output", [wo, bo]),
        ("layers/multi_head_attention/_query_dense", "query", [wq, bq]),
        ("layers/multi_head_attention/_softmax", "softmax", []),
        ("layers/multi_head_attention/_value_dense", "value", [wv, bv]),
        ("layers/bidirectional", "bidirectional", []),
        ("layers/bidirectional/backward_layer", "backward_gru", []),
        ("layers/bidirectional/backward_layer/cell", "gru_cell", [bk_, br_, bb_]),
        ("layers/bidirectional/forward_layer", "forward_gru", []),
        ("layers/bidirectional/forward_layer/cell", "gru_cell", [fk, fr, fb]),
        ("layers/conv2d_transpose", "upsample", [tk, tb]),
        ("layers/separable_conv2d", "separable", [dk, pk, sb]),
        ("layers/global_average_pooling2d", "pool", []),
        ("layers/concatenate", "concatenate", []),
        ("layers/sequential", "head", []),
        ("layers/sequential/layers/dense", "head_dense", [h1k, h1b]),
        ("layers/sequential/layers/dense_1", "head_out", [h2k, h2b]),
    ]
    write_keras_full(os.path.join(HERE, "functional_mixed.keras"), config, groups)
    return {"x": [tokens.tolist(), img.tolist()], "x_shape": [list(tokens.shape), list(img.shape)], "x_dtype": ["int64", "float32"],
            "y": [y.tolist(), probs.tolist()], "y_shape": [list(y.shape), list(probs.shape)]}


# ------------------------------------------------------------------ 5. Sequential with masking: Embedding(mask_zero) ->
#                                                                       LSTM(sequences) -> LayerNormalization -> SimpleRNN -> Dense
def sequential_masked_rnn():
    T, V, E, U1, U2 = 6, 10, 3, 4, 2
    emb = r(V, E)
    lk, lr_, lb = r(E, 4 * U1), r(U1, 4 * U1), r(4 * U1)
    gamma, beta = r(U1) + 1.0, r(U1)
    sk, sr, sb = r(U1, U2), r(U2, U2), r(U2)
    dk, db = r(U2, 1), r(1)
    tokens = rng.integers(1, V, size=(3, T))
    tokens[0, 4:] = 0          # post-padding
    tokens[1, :2] = 0          # pre-padding
    tokens[2, 3] = 0           # a gap
    mask = tokens != 0
    x = emb[tokens].astype(np.float64)
    # LSTM(return_sequences): a masked step keeps h and c and repeats the previous output (zeros before any).
    h, c, prev = np.zeros((3, U1)), np.zeros((3, U1)), np.zeros((3, U1))
    seq = []
    for t in range(T):
        z = x[:, t] @ lk + h @ lr_ + lb
        i, f, g, o = np.split(z, 4, axis=-1)
        c_new = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        h_new = sigmoid(o) * np.tanh(c_new)
        m = mask[:, t:t + 1]
        h, c = np.where(m, h_new, h), np.where(m, c_new, c)
        prev = np.where(m, h_new, prev)
        seq.append(prev)
    seq = np.stack(seq, axis=1)
    mean = seq.mean(-1, keepdims=True)
    var = ((seq - mean) ** 2).mean(-1, keepdims=True)
    ln = (seq - mean) / np.sqrt(var + 0.001) * gamma + beta
    # SimpleRNN over the normalized sequence with the same mask: the last unmasked step's state.
    hs = np.zeros((3, U2))
    for t in range(T):
        h_new = np.tanh(ln[:, t] @ sk + hs @ sr + sb)
        hs = np.where(mask[:, t:t + 1], h_new, hs)
    y = sigmoid(hs @ dk + db)
    config = {
        "module": "keras", "class_name": "Sequential", "registered_name": None,
        "config": {"name": "masked", "trainable": True, "dtype": policy(), "layers": [
            input_record("input_layer", [None, T], "int32", functional=False),
            layer("Embedding", {**base("embedding"), "input_dim": V, "output_dim": E,
                                "embeddings_initializer": init("RandomUniform", {"minval": -0.05, "maxval": 0.05, "seed": None}),
                                "embeddings_regularizer": None, "activity_regularizer": None, "embeddings_constraint": None,
                                "mask_zero": True, "quantization_config": None}, [None, T]),
            layer("LSTM", {**rnn_config("lstm", U1, return_sequences=True), "unit_forget_bias": True}, [None, T, E]),
            layer("LayerNormalization", {**base("layer_normalization"), "axis": [-1], "epsilon": 0.001, "center": True, "scale": True,
                                         "rms_scaling": False, "beta_initializer": init("Zeros"), "gamma_initializer": init("Ones"),
                                         "beta_regularizer": None, "gamma_regularizer": None, "beta_constraint": None,
                                         "gamma_constraint": None}, [None, T, U1]),
            layer("SimpleRNN", rnn_config("simple_rnn", U2), [None, T, U1]),
            layer("Dense", dense_config("dense", 1, "sigmoid"), [None, U2]),
        ], "build_input_shape": [None, T]},
        "build_config": {"input_shape": [None, T]},
    }
    for rec in config["config"]["layers"]:
        if rec["class_name"] == "SimpleRNN":
            rec["config"].pop("recurrent_activation")
    groups = [("", "masked", []), ("layers/embedding", "embedding", [emb]),
              ("layers/lstm", "lstm", []), ("layers/lstm/cell", "lstm_cell", [lk, lr_, lb]),
              ("layers/layer_normalization", "layer_normalization", [gamma, beta]),
              ("layers/simple_rnn", "simple_rnn", []), ("layers/simple_rnn/cell", "simple_rnn_cell", [sk, sr, sb]),
              ("layers/dense", "dense", [dk, db])]
    write_keras_full(os.path.join(HERE, "sequential_masked_rnn.keras"), config, groups)
    return {"x": tokens.tolist(), "x_shape": list(tokens.shape), "x_dtype": "int64", "y": y.tolist(), "y_shape": list(y.shape)}


# ------------------------------------------------------------------ 6. Keras 2.13's .keras layout: "_layer_checkpoint_dependencies"
def legacy_checkpoint_dependencies():
    k1, b1, k2, b2 = r(4, 3), r(3), r(3, 2), r(2)
    config = {
        "module": "keras", "class_name": "Sequential", "registered_name": None,
        "config": {"name": "sequential", "layers": [
            {"module": "keras.layers", "class_name": "InputLayer", "registered_name": None,
             "config": {"batch_input_shape": [None, 4], "dtype": "float32", "sparse": False, "ragged": False, "name": "dense_input"}},
            {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": {"name": "dense", "trainable": True, "dtype": "float32", "units": 3, "activation": "tanh", "use_bias": True}},
            {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
             "config": {"name": "dense_1", "trainable": True, "dtype": "float32", "units": 2, "activation": "linear", "use_bias": True}},
        ]},
    }
    write_keras(os.path.join(HERE, "legacy_checkpoint_dependencies.keras"), config,
                [("_layer_checkpoint_dependencies/dense", [k1, b1]), ("_layer_checkpoint_dependencies/dense_1", [k2, b2])])
    x = r(2, 4).astype(np.float64)
    y = np.tanh(x @ k1 + b1) @ k2 + b2
    return {"x": x.tolist(), "x_shape": list(x.shape), "y": y.tolist(), "y_shape": list(y.shape)}


hostile()
expected = {"sequential_cnn": sequential_cnn(), "functional_rnn": functional_rnn(),
            "functional_mixed": functional_mixed(), "sequential_masked_rnn": sequential_masked_rnn(),
            "legacy_checkpoint_dependencies": legacy_checkpoint_dependencies()}
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
print("wrote", ", ".join(sorted(os.listdir(HERE))))
