"""The app's one message catalogue: every label, help text, chart title and the Learn page,
in English (``en``) and Simplified Chinese (``zh``).

Use ``t(key, lang, **fields)``; a missing key raises ``KeyError`` in tests (see
``tests/test_app_i18n.py``), never silently shows a key to a learner.
"""

from __future__ import annotations

LANGS = ("en", "zh")
LANG_NAMES = {"en": "English", "zh": "简体中文"}
SAMPLER_LABELS = {"rns": "RNS", "pns": "PNS", "dns": "DNS", "irgan": "IRGAN", "srns": "SRNS"}


def _m(en: str, zh: str) -> dict:
    return {"en": en, "zh": zh}


MESSAGES: dict[str, dict[str, str]] = {
    # ------------------------------------------------------------------ shell
    "app_title": _m("Negative Sampling Lab", "负采样实验室"),
    "app_tagline": _m("Train small recommenders live and watch what each negative sampler picks.",
                      "现场训练小型推荐模型，观察每种负采样器挑出了什么样的负样本。"),
    "nav_learn": _m("Learn", "入门"),
    "nav_playground": _m("Playground", "单采样器实验"),
    "nav_compare": _m("Compare", "对比"),
    "nav_data": _m("Data", "数据"),
    "sidebar_dataset": _m("Dataset", "数据集"),
    "sidebar_dataset_help": _m("The data every page trains on. Change the synthetic world's knobs, load "
                               "MovieLens or upload a CSV on the Data page.",
                               "所有页面训练所用的数据。可在“数据”页调整合成世界的参数、加载 MovieLens 或上传 CSV。"),
    "sidebar_seed": _m("Seed", "随机种子"),
    "sidebar_seed_help": _m("One seed fixes the data split, the initial model, the batch order and every "
                            "sampler's random draws: same seed, same experiment.",
                            "一个种子确定数据划分、初始模型、批次顺序和每个采样器的随机抽样：种子相同，实验就相同。"),
    "sidebar_language": _m("Language", "语言"),
    "sidebar_share": _m("Share this experiment: the page address carries the dataset, seed, samplers and "
                        "their settings.",
                        "分享本实验：页面地址中包含数据集、种子、采样器及其设置。"),
    "sidebar_about": _m("Samplers: RNS, PNS, DNS, IRGAN, SRNS. Model: matrix factorisation trained with "
                        "the BPR loss.",
                        "采样器：RNS、PNS、DNS、IRGAN、SRNS。模型：用 BPR 损失训练的矩阵分解。"),
    "dataset_synthetic": _m("Synthetic world (true tastes known)", "合成世界（已知真实偏好）"),
    "dataset_toy": _m("Toy world (6 users, 12 films)", "玩具世界（6 位用户，12 部电影）"),
    "dataset_ml-100k": _m("MovieLens 100K", "MovieLens 100K"),
    "dataset_ml-latest-small": _m("MovieLens latest-small", "MovieLens latest-small"),
    "dataset_csv": _m("Your CSV: {name}", "你的 CSV：{name}"),
    "dataset_failed": _m("Could not load {name}; keeping {previous}. {error}",
                         "无法加载 {name}，继续使用 {previous}。{error}"),
    "dataset_not_found_app": _m("Its files were not found (looked in: {places}). On the Data page, type the "
                                "folder that holds ml-100k/ or ml-latest-small/, or press Download.",
                                "未找到其文件（已查找：{places}）。请在“数据”页输入包含 ml-100k/ 或 ml-latest-small/ "
                                "的文件夹，或点击下载。"),
    "bad_url_params": _m("Ignored URL parameters (unknown or invalid values): {params}",
                         "已忽略的地址参数（未知或无效的取值）：{params}"),
    "no_held_out": _m("This dataset has {valid} validation and {test} test positives: with none, validation "
                      "curves, model selection and test metrics stay empty. Raise the density or the "
                      "observation rate on the Data page, or choose another dataset.",
                      "该数据集有 {valid} 个验证正样本和 {test} 个测试正样本：若为零，验证曲线、模型选择和测试指标都将为空。"
                      "请在“数据”页提高密度或观测率，或换一个数据集。"),
    "busy": _m("The server is busy with other learners' trainings; this run continues at the next tick.",
               "服务器正忙于其他同学的训练，本次训练将在下一拍继续。"),
    # ------------------------------------------------------------------ player
    "play": _m("Play", "播放"),
    "pause": _m("Pause", "暂停"),
    "step": _m("Step", "单步"),
    "reset": _m("Reset", "重置"),
    "play_help": _m("Train continuously, a short chunk at every tick; other controls stay usable.",
                    "持续训练，每一拍训练一小段；其他控件仍可使用。"),
    "pause_help": _m("Stop after the current tick.", "在当前这一拍之后停止。"),
    "step_help": _m("Train one batch (one step) for every sampler, then stop.",
                    "每个采样器训练一个批次（一步）后停止。"),
    "reset_help": _m("Start again from the same initial model.", "从相同的初始模型重新开始。"),
    "speed": _m("Speed (batches per tick)", "速度（每拍批次数）"),
    "speed_help": _m("How many training steps each sampler may take per tick (a tick also stops after "
                     "about {ms} ms so the page stays responsive).",
                     "每一拍中每个采样器最多训练的步数（每拍约 {ms} 毫秒后也会停止，以保证页面流畅）。"),
    "counter_epoch": _m("epoch {epoch}/{epochs}", "第 {epoch}/{epochs} 轮"),
    "counter_step": _m("step {step}/{steps}", "第 {step}/{steps} 步"),
    "status_playing": _m("training", "训练中"),
    "status_paused": _m("paused", "已暂停"),
    "status_new": _m("ready: press Play or Step", "就绪：按“播放”或“单步”"),
    "status_done": _m("finished", "已完成"),
    "run_reset_notice": _m("The run was reset because {what} changed.", "由于 {what} 改变，训练已重置。"),
    "run_build_error": _m("These settings are impossible, so the previous run is kept: {error}",
                          "这些设置无法使用，因此保留之前的训练：{error}"),
    "live_param_error": _m("Setting not applied: {error}", "设置未生效：{error}"),
    "diverged": _m("{sampler} stopped: {error}", "{sampler} 已停止：{error}"),
    "what_dataset": _m("the dataset", "数据集"),
    "what_seed": _m("the seed", "随机种子"),
    "what_samplers": _m("the choice of samplers", "所选采样器"),
    "what_dim": _m("the embedding size", "嵌入维度"),
    "what_batch_size": _m("the batch size", "批大小"),
    "what_n_negatives": _m("K (negatives per positive)", "K（每个正样本的负样本数）"),
    "what_eval_k": _m("the top-K of the metrics", "评估指标的 top-K"),
    "what_param": _m("{sampler} {param}", "{sampler} 的 {param}"),
    # ------------------------------------------------------------------ training settings
    "settings": _m("Training settings", "训练设置"),
    "settings_caption": _m("🔴 resets the run when changed · 🟢 applies at the next tick",
                           "🔴 修改后重置训练 · 🟢 在下一拍生效"),
    "epochs": _m("Epochs 🟢", "训练轮数 🟢"),
    "epochs_help": _m("Training stops by itself after this many passes over the training positives.",
                      "遍历训练正样本这么多遍后，训练自动停止。"),
    "lr": _m("Learning rate 🟢", "学习率 🟢"),
    "lr_help": _m("Step size of the Adam optimiser. Too large and the loss can diverge (the run stops "
                  "and says so).",
                  "Adam 优化器的步长。过大可能导致损失发散（训练会停止并提示）。"),
    "dim": _m("Embedding size 🔴", "嵌入维度 🔴"),
    "dim_help": _m("Length d of every user and item vector; the score is s(u, i) = p_u · q_i.",
                   "每个用户和物品向量的长度 d；得分 s(u, i) = p_u · q_i。"),
    "batch": _m("Batch size 🔴", "批大小 🔴"),
    "batch_help": _m("Positive (user, item) pairs per training step.", "每个训练步中的正样本（用户，物品）对数。"),
    "k": _m("K: negatives per positive 🔴", "K：每个正样本的负样本数 🔴"),
    "k_help": _m("How many negatives the sampler draws for every positive pair.",
                 "采样器为每个正样本对抽取的负样本个数。"),
    "topk": _m("Top-K of the metrics 🔴", "评估指标的 Top-K 🔴"),
    "topk_help": _m("Recall@K and NDCG@K look at the K best-ranked items of every user.",
                    "Recall@K 和 NDCG@K 只看每个用户排名最靠前的 K 个物品。"),
    "samplers": _m("Samplers to compare", "参与对比的采样器"),
    "samplers_help": _m("All chosen samplers train the same model from the same initial parameters on "
                        "the same batches: only the sampler differs.",
                        "所选采样器从相同的初始参数出发、在相同的批次上训练相同的模型：唯一的差别是采样器。"),
    "sampler": _m("Sampler", "采样器"),
    "sampler_params": _m("{sampler} settings", "{sampler} 的设置"),
    "param_paper": _m("paper: {paper}", "论文取值：{paper}"),
    "param_default": _m("default {default}", "默认 {default}"),
    "no_params": _m("RNS has no settings besides K: every non-positive item is equally likely.",
                    "RNS 除 K 之外没有其他设置：每个非正样本物品被抽中的概率相同。"),
    "need_sampler": _m("Choose at least one sampler.", "请至少选择一个采样器。"),
    # sampler parameter labels (key: param_<sampler>_<name>)
    "param_pns_alpha": _m("α: popularity exponent", "α：流行度指数"),
    "param_dns_candidates": _m("M: candidates", "M：候选数"),
    "param_irgan_temperature": _m("τ: temperature", "τ：温度"),
    "param_irgan_is_lambda": _m("λ: importance mix", "λ：重要性采样混合比例"),
    "param_irgan_g_lr": _m("Generator learning rate", "生成器学习率"),
    "param_irgan_g_samples": _m("Generator samples per user", "生成器每用户采样数"),
    "param_irgan_g_epochs": _m("Generator passes per epoch", "每轮生成器训练遍数"),
    "param_irgan_g_l2": _m("Generator L2", "生成器 L2 正则"),
    "param_irgan_g_dim": _m("Generator embedding size", "生成器嵌入维度"),
    "param_irgan_g_pretrain_epochs": _m("Generator pretraining epochs", "生成器预训练轮数"),
    "param_srns_s1": _m("S1: memory size", "S1：记忆大小"),
    "param_srns_s2": _m("S2: fresh candidates", "S2：新候选数"),
    "param_srns_alpha": _m("α: weight of the score's std", "α：得分标准差的权重"),
    "param_srns_warmup": _m("W: warm-up epochs", "W：预热轮数"),
    "param_srns_tau": _m("τ: memory temperature", "τ：记忆更新温度"),
    "param_srns_history": _m("T: epochs of score history", "T：得分历史的轮数"),
    "help_pns_alpha": _m("p(j) ∝ popularity^α. 0 = uniform (exactly RNS), 1 = proportional to popularity.",
                         "p(j) ∝ 流行度^α。0 = 均匀（即 RNS），1 = 与流行度成正比。"),
    "help_dns_candidates": _m("Uniform candidates scored per negative; the highest-scored one is kept. "
                              "M = 1 is RNS; larger M = harder negatives and more false negatives.",
                              "每个负样本评分的均匀候选数，保留得分最高的一个。M = 1 即 RNS；M 越大，负样本越难，假负例也越多。"),
    "help_irgan_temperature": _m("Temperature of the generator's softmax: small τ = sharper, harder negatives.",
                                 "生成器 softmax 的温度：τ 越小分布越尖锐，负样本越难。"),
    "help_irgan_is_lambda": _m("Share of the generator's training samples drawn from the user's positives "
                               "(importance sampling).",
                               "生成器训练样本中从用户正样本抽取的比例（重要性采样）。"),
    "help_irgan_g_lr": _m("Learning rate of the generator (Adam).", "生成器的学习率（Adam）。"),
    "help_irgan_g_samples": _m("Items drawn per user in each generator (REINFORCE) pass.",
                               "每次生成器（REINFORCE）训练中每个用户抽取的物品数。"),
    "help_irgan_g_epochs": _m("Generator passes over the users after each recommender epoch (0 = frozen G).",
                              "推荐模型每训练一轮后，生成器遍历用户的次数（0 = 生成器不更新）。"),
    "help_irgan_g_l2": _m("L2 regularisation of the generator.", "生成器的 L2 正则化系数。"),
    "help_irgan_g_dim": _m("Embedding size of the generator G.", "生成器 G 的嵌入维度。"),
    "help_irgan_g_pretrain_epochs": _m("BPR pretraining of G before the adversarial game (0 = untrained G, "
                                       "which samples almost uniformly).",
                                       "对抗训练前用 BPR 预训练 G 的轮数（0 = 未训练的 G，几乎均匀采样）。"),
    "help_srns_s1": _m("Candidate negatives kept in each user's memory.", "每个用户记忆中保留的候选负样本数。"),
    "help_srns_s2": _m("Fresh uniform candidates mixed into the memory at each update.",
                       "每次更新记忆时混入的新均匀候选数。"),
    "help_srns_alpha": _m("Weight of the score's standard deviation: prefer items whose score fluctuates "
                          "(hard true negatives) over stable high scores (likely false negatives). 0 = pure hardness.",
                          "得分标准差的权重：偏好得分波动的物品（困难的真负例），而不是得分稳定偏高的物品（可能是假负例）。0 = 只看难度。"),
    "help_srns_warmup": _m("The variance term grows as min(1, epoch / W).", "方差项按 min(1, 轮数 / W) 逐渐增大。"),
    "help_srns_tau": _m("Temperature of the memory update: small τ keeps the hardest items.",
                        "记忆更新的温度：τ 越小越倾向保留最难的物品。"),
    "help_srns_history": _m("Epoch-end snapshots used for the standard deviation.", "用于计算标准差的每轮末快照数。"),
    # ------------------------------------------------------------------ charts
    "legend_intro": _m("Every sampler keeps one colour and one line style on every chart:",
                       "每个采样器在所有图中使用固定的颜色和线型："),
    "x_epoch": _m("epoch", "轮次"),
    "x_seconds": _m("training seconds", "训练秒数"),
    "x_axis": _m("Horizontal axis", "横轴"),
    "chart_loss": _m("BPR loss (lower is better)", "BPR 损失（越低越好）"),
    "chart_recall": _m("Validation Recall@{k}", "验证集 Recall@{k}"),
    "chart_ndcg": _m("Validation NDCG@{k}", "验证集 NDCG@{k}"),
    "chart_convergence": _m("Convergence: loss and validation quality per {x}", "收敛：每{x}的损失与验证集质量"),
    "chart_fn_exact": _m("False-negative rate (exact)<br><sup>share of sampled negatives the user truly likes, from "
                         "the synthetic world's hidden tastes</sup>",
                         "假负例率（精确值）<br><sup>被采样的负样本中用户其实喜欢的比例，来自合成世界的隐藏偏好</sup>"),
    "chart_fn_heldout": _m("False-negative rate (held-out positives)<br><sup>share of sampled negatives that are "
                           "the user's validation/test positives</sup>",
                           "假负例率（留出正样本）<br><sup>被采样的负样本中属于用户验证/测试正样本的比例</sup>"),
    "chart_fn_y": _m("false negatives / sampled negatives", "假负例 / 负样本"),
    "chart_hardness": _m("Hardness of sampled negatives<br><sup>mean σ(s(u,j) − s(u,i)), the BPR gradient weight "
                         "of a negative</sup>",
                         "负样本难度<br><sup>平均 σ(s(u,j) − s(u,i))，即负样本的 BPR 梯度权重</sup>"),
    "chart_hardness_y": _m("gradient weight (0..1)", "梯度权重（0..1）"),
    "chart_scores": _m("Scores of sampled negatives vs positives and random items (epoch {epoch})",
                       "负样本得分与正样本、随机物品得分的分布（第 {epoch} 轮）"),
    "chart_scores_x": _m("model score s(u, ·)", "模型得分 s(u, ·)"),
    "chart_scores_y": _m("share", "占比"),
    "trace_negatives": _m("{sampler} negatives", "{sampler} 负样本"),
    "trace_positives": _m("positives", "正样本"),
    "trace_uniform": _m("random items", "随机物品"),
    "chart_popularity": _m("Popularity of sampled negatives (mean training count per item)",
                           "负样本的流行度（物品在训练集中的平均出现次数）"),
    "chart_popularity_hist": _m("Popularity distribution of sampled negatives (epoch {epoch})",
                                "负样本流行度分布（第 {epoch} 轮）"),
    "chart_popularity_x": _m("item popularity (training users)", "物品流行度（训练用户数）"),
    "chart_popularity_y": _m("mean popularity", "平均流行度"),
    "trace_uniform_pop": _m("random items (reference)", "随机物品（参照）"),
    "chart_cost": _m("Cost: seconds per epoch, sampling (solid) vs model update (light)",
                     "开销：每轮秒数，采样（实色）与模型更新（浅色）"),
    "chart_cost_y": _m("seconds per epoch", "每轮秒数"),
    "trace_sampling": _m("sampling", "采样"),
    "trace_updating": _m("model update", "模型更新"),
    "chart_scores_count": _m("Model scores computed by the sampler per epoch", "采样器每轮计算的模型得分数"),
    "chart_scores_count_y": _m("scores per epoch", "每轮得分数"),
    "chart_empty": _m("Waiting for the first epoch…", "等待第一轮完成……"),
    # ------------------------------------------------------------------ compare page
    "compare_title": _m("Compare samplers side by side", "并排对比采样器"),
    "compare_intro": _m("The chosen samplers train the same matrix-factorisation model, from the same initial "
                        "parameters, on the same batches. Press Play and watch the three questions: quality "
                        "(hardness, convergence), bias (false negatives, popularity) and efficiency (cost).",
                        "所选采样器从相同的初始参数出发，在相同的批次上训练相同的矩阵分解模型。按“播放”，观察三个问题："
                        "质量（难度、收敛）、偏差（假负例、流行度）和效率（开销）。"),
    "sec_convergence": _m("Quality: how fast and how well does the model learn?", "质量：模型学得多快、多好？"),
    "sec_hardness": _m("Quality: how hard are the sampled negatives?", "质量：采样的负样本有多难？"),
    "sec_bias": _m("Bias: false negatives and popularity", "偏差：假负例与流行度"),
    "sec_cost": _m("Efficiency: what does each sampler cost?", "效率：每个采样器的开销是多少？"),
    "sec_results": _m("Results", "结果"),
    "hardness_explain": _m("A negative scored far below the positive gives almost no gradient. Bars further right "
                           "than the grey random-item bars mean a sampler finds harder, more informative negatives.",
                           "得分远低于正样本的负样本几乎不产生梯度。若某采样器的柱形比灰色随机物品更靠右，说明它找到了更难、信息量更大的负样本。"),
    "results_caption": _m("Best epoch = highest validation NDCG@{k}; test metrics at that epoch (never selected on test).",
                          "最佳轮次 = 验证集 NDCG@{k} 最高的轮次；测试指标取自该轮（从不在测试集上挑选）。"),
    "col_sampler": _m("sampler", "采样器"),
    "col_epochs": _m("epochs", "轮数"),
    "col_loss": _m("loss", "损失"),
    "col_best_epoch": _m("best epoch", "最佳轮次"),
    "col_valid_ndcg": _m("valid NDCG@{k}", "验证 NDCG@{k}"),
    "col_valid_recall": _m("valid Recall@{k}", "验证 Recall@{k}"),
    "col_test_ndcg": _m("test NDCG@{k}", "测试 NDCG@{k}"),
    "col_test_recall": _m("test Recall@{k}", "测试 Recall@{k}"),
    "col_fn_rate": _m("false-negative rate", "假负例率"),
    "col_hardness": _m("hardness", "难度"),
    "col_neg_pop": _m("negatives' popularity", "负样本流行度"),
    "col_sec_epoch": _m("s / epoch", "秒/轮"),
    "col_sample_share": _m("sampling share", "采样耗时占比"),
    "col_scores_epoch": _m("scores / epoch", "得分数/轮"),
    "download_csv": _m("Download history (CSV)", "下载训练历史（CSV）"),
    "download_json": _m("Download history (JSON)", "下载训练历史（JSON）"),
    "results_empty": _m("The table fills in once every sampler has finished an epoch.",
                        "每个采样器完成一轮后，表格就会出现。"),
    # ------------------------------------------------------------------ playground page
    "playground_title": _m("Playground: one sampler in depth", "单采样器实验：深入了解一个采样器"),
    "playground_intro": _m("Pick a sampler, tune it, train it, and open the step view to see exactly which "
                           "negatives it drew for one user in the last step, and why.",
                           "选择一个采样器，调节参数并训练，然后在单步视图中查看它在上一步为某位用户具体抽到了哪些负样本，以及原因。"),
    "step_view": _m("Step view: the last training step", "单步视图：上一个训练步"),
    "step_view_playing": _m("The step view updates when you pause or press Step.", "暂停或按“单步”时，单步视图才会更新。"),
    "step_view_empty": _m("Press Step to train one batch and see its negatives.", "按“单步”训练一个批次，即可查看其负样本。"),
    "step_user": _m("User of the last batch", "上一批次中的用户"),
    "step_user_help": _m("Only users with a positive in the last batch have sampled negatives to show.",
                         "只有在上一批次中有正样本的用户才有可展示的负样本。"),
    "step_table_caption": _m("Negatives drawn for {user} in the last step (scores under the current model).",
                             "上一步为 {user} 抽取的负样本（得分基于当前模型）。"),
    "col_positive": _m("positive item", "正样本物品"),
    "col_negative": _m("sampled negative", "采样的负样本"),
    "col_score_pos": _m("score of positive", "正样本得分"),
    "col_score_neg": _m("score of negative", "负样本得分"),
    "col_gradient": _m("gradient weight σ(s_j − s_i)", "梯度权重 σ(s_j − s_i)"),
    "col_popularity": _m("popularity", "流行度"),
    "col_false_negative": _m("false negative?", "假负例？"),
    "yes": _m("yes ⚠", "是 ⚠"),
    "no": _m("no", "否"),
    "internals": _m("Inside {sampler}", "{sampler} 内部"),
    "rns_internals": _m("RNS has no internals: each of the {n} items this user has not interacted with has "
                        "probability 1/{n} = {p:.4f}.",
                        "RNS 没有内部状态：该用户未交互过的 {n} 个物品，每个被抽中的概率都是 1/{n} = {p:.4f}。"),
    "pns_chart": _m("PNS sampling probability of {user}'s top items (α = {alpha})",
                    "PNS 对 {user} 概率最高的物品（α = {alpha}）"),
    "pns_explain": _m("The distribution is fixed before training: it never looks at the model.",
                      "该分布在训练前就已固定：它从不参考模型。"),
    "dns_chart": _m("DNS: the {m} candidates for the first negative of {user}, scored when they were drawn "
                    "(chosen = highest; the table above uses the model after the update)",
                    "DNS：{user} 第一个负样本的 {m} 个候选，抽样时的得分（被选中的 = 最高分；上表用的是更新后的模型）"),
    "dns_m1": _m("With M = 1 there is nothing to choose: DNS is exactly RNS.", "M = 1 时无可挑选：DNS 就是 RNS。"),
    "trace_candidate": _m("candidate", "候选"),
    "trace_chosen": _m("chosen", "选中"),
    "trace_fn_candidate": _m("false negative", "假负例"),
    "irgan_chart": _m("IRGAN generator: {user}'s {n} most likely negatives p_G(j | u), with D's reward",
                      "IRGAN 生成器：{user} 最可能被抽中的 {n} 个负样本 p_G(j | u)，及判别器 D 的奖励"),
    "irgan_entropy": _m("Entropy of G", "G 的熵"),
    "irgan_entropy_help": _m("Uniform sampling would have entropy {max:.2f} nats. Close to it: G still samples "
                             "almost uniformly (like RNS). Far below: G concentrates on a few items.",
                             "均匀采样的熵为 {max:.2f} 奈特。接近该值说明 G 仍几乎均匀采样（像 RNS）；远低于它说明 G 集中在少数物品上。"),
    "irgan_reward_y": _m("D's reward 2(σ(s_D) − 0.5)", "D 的奖励 2(σ(s_D) − 0.5)"),
    "irgan_prob_y": _m("probability p_G", "概率 p_G"),
    "pns_prob_y": _m("probability p(j) (bar labels: training popularity c_j)", "概率 p(j)（柱上数字：训练流行度 c_j）"),
    "srns_chart": _m("SRNS memory of the last batch's users: mean vs std of each item's score history",
                     "SRNS 记忆（上一批次的用户）：每个物品得分历史的均值与标准差"),
    "srns_x": _m("mean score over the last epochs", "最近几轮得分的均值"),
    "srns_y": _m("std of the score over the last epochs", "最近几轮得分的标准差"),
    "srns_true_neg": _m("true negative", "真负例"),
    "srns_false_neg": _m("false negative", "假负例"),
    "srns_explain": _m("SRNS's hypothesis (Ding et al., NeurIPS 2020): false negatives (orange ✕) score high "
                       "and **stably** (right, low), hard true negatives score high but **fluctuate** (right, "
                       "high). It picks argmax ρ + α·w·std, so it prefers the fluctuating ones. Check whether the "
                       "hypothesis holds here: if the orange ✕ sit high, false negatives fluctuate too and SRNS "
                       "cannot tell them apart. {n} snapshots stored, warm-up weight w = {w:.2f}.",
                       "SRNS 的假设（Ding 等，NeurIPS 2020）：假负例（橙色 ✕）得分高且**稳定**（右下），困难的真负例得分高但"
                       "**波动**（右上）。它选择 argmax ρ + α·w·std，因此偏好波动的物品。请检查该假设在这里是否成立：如果橙色 ✕ "
                       "位置偏高，说明假负例同样波动，SRNS 就无法把它们区分出来。已存 {n} 个快照，预热权重 w = {w:.2f}。"),
    "srns_wait": _m("The score history needs at least two finished epochs.", "得分历史至少需要完成两轮训练。"),
    "live_charts": _m("Live training", "实时训练"),
    # ------------------------------------------------------------------ data page
    "data_title": _m("Data: choose and inspect the dataset", "数据：选择并查看数据集"),
    "data_current": _m("Current dataset: {name}", "当前数据集：{name}"),
    "metric_users": _m("users", "用户"),
    "metric_items": _m("items", "物品"),
    "metric_train": _m("training positives", "训练正样本"),
    "metric_heldout": _m("validation / test", "验证 / 测试"),
    "metric_sparsity": _m("sparsity", "稀疏度"),
    "metric_fn": _m("hidden liked items", "隐藏的喜欢物品"),
    "metric_fn_help": _m("Items users truly like but that are not training positives: every one drawn as a "
                         "negative is a false negative.",
                         "用户真正喜欢但不在训练正样本中的物品：每抽中一个作为负样本，就是一个假负例。"),
    "fn_definition_exact": _m("False negatives are exact here: the world knows every user's true tastes.",
                              "这里的假负例是精确的：世界知道每位用户的真实偏好。"),
    "fn_definition_heldout": _m("Real data has no ground truth: a sampled negative counts as a false negative "
                                "when it is one of the user's held-out (validation or test) positives.",
                                "真实数据没有真实偏好：若被采样的负样本属于该用户留出的（验证或测试）正样本，则记为假负例。"),
    "chart_long_tail": _m("Long tail: training popularity of every item, most popular first",
                          "长尾：每个物品在训练集中的流行度（从最热门到最冷门）"),
    "chart_long_tail_x": _m("item rank", "物品排名"),
    "chart_long_tail_y": _m("training users (log scale)", "训练用户数（对数刻度）"),
    "user_history": _m("One user's history", "单个用户的历史"),
    "user_pick": _m("User", "用户"),
    "history_split": _m("split", "划分"),
    "history_item": _m("item", "物品"),
    "split_train": _m("train", "训练"),
    "split_valid": _m("validation", "验证"),
    "split_test": _m("test", "测试"),
    "split_hidden": _m("liked, unobserved", "喜欢但未观测"),
    "synthetic_knobs": _m("Synthetic world", "合成世界"),
    "synthetic_caption": _m("Users have hidden tastes over genres; each liked item is observed with a probability "
                            "that grows with its popularity. Unobserved liked items are the false negatives.",
                            "用户对各类型有隐藏偏好；每个喜欢的物品被观测到的概率随其流行度增加。未被观测到的喜欢物品就是假负例。"),
    "syn_users": _m("Users", "用户数"),
    "syn_items": _m("Items", "物品数"),
    "syn_density": _m("Density: share of user-item pairs that are liked", "密度：被喜欢的用户-物品对比例"),
    "syn_skew": _m("Popularity skew (Zipf exponent)", "流行度偏斜（Zipf 指数）"),
    "syn_skew_help": _m("0 = all items equally popular; 1 = a classic long tail.", "0 = 所有物品一样流行；1 = 典型长尾。"),
    "syn_obs": _m("Observation rate: share of liked items observed", "观测率：被观测到的喜欢物品比例"),
    "syn_obs_help": _m("Lower = more liked items stay hidden = more false negatives to fall into.",
                       "越低 = 越多喜欢的物品被隐藏 = 越容易采到假负例。"),
    "syn_build": _m("Build this world", "生成这个世界"),
    "syn_use": _m("Use the synthetic world", "使用合成世界"),
    "movielens": _m("MovieLens (rating ≥ threshold = positive)", "MovieLens（评分 ≥ 阈值 = 正样本）"),
    "movielens_caption": _m("The files are not shipped (GroupLens licence). Point at a folder holding ml-100k/ or "
                            "ml-latest-small/, or download the official archive (checksum-verified).",
                            "本项目不附带这些文件（GroupLens 许可）。请指定包含 ml-100k/ 或 ml-latest-small/ 的文件夹，或下载官方压缩包（校验和验证）。"),
    "ml_name": _m("Dataset", "数据集"),
    "ml_folder": _m("Local folder (default: NEGSAMP_DATA_DIR)", "本地文件夹（默认：NEGSAMP_DATA_DIR）"),
    "ml_threshold": _m("Positive when rating ≥", "评分 ≥ 该值视为正样本"),
    "ml_split": _m("Split", "划分方式"),
    "ml_split_u1": _m("official u1.base / u1.test (IRGAN's protocol)", "官方 u1.base / u1.test（IRGAN 的协议）"),
    "ml_split_random": _m("per-user random 80/10/10", "按用户随机 80/10/10"),
    "ml_load": _m("Load from folder", "从文件夹加载"),
    "ml_download": _m("Download and load", "下载并加载"),
    "ml_downloading": _m("Downloading {name}…", "正在下载 {name}……"),
    "ml_loaded": _m("Loaded {name}.", "已加载 {name}。"),
    "csv_title": _m("Your own CSV", "你自己的 CSV"),
    "csv_caption": _m("Columns: user and item (required), rating (optional, with a threshold), timestamp "
                      "(optional: the latest interactions become the test set), title (optional).",
                      "列：user 和 item（必需），rating（可选，配合阈值），timestamp（可选：最近的交互作为测试集），title（可选）。"),
    "csv_upload": _m("Upload a CSV", "上传 CSV"),
    "csv_threshold": _m("Rating threshold (0 = every row is positive)", "评分阈值（0 = 每一行都是正样本）"),
    "csv_use": _m("Use this file", "使用此文件"),
    "csv_loaded": _m("Loaded {name}: {users} users, {items} items, {n} training positives.",
                     "已加载 {name}：{users} 位用户，{items} 个物品，{n} 个训练正样本。"),
    "csv_error": _m("This file cannot be used, so the current dataset is kept. What is wrong: {error}",
                    "无法使用该文件，因此保留当前数据集。问题：{error}"),
    # ------------------------------------------------------------------ learn page
    "learn_title": _m("Why negative sampling matters", "为什么负采样很重要"),
    "learn_intro": _m(
        "A recommender learns from what users clicked, watched or bought: the **positives**. It must also "
        "learn what they do *not* want, and nobody tells us that: every other item is merely *unobserved*. "
        "**Negative sampling** picks a few unobserved items *j* for each positive *(u, i)* and trains the model "
        "to score the positive above them, with the BPR loss below. Which items we pick decides how fast the "
        "model learns, how good it gets, and how often we punish it for liking something the user would "
        "actually like.",
        "推荐模型从用户点击、观看或购买过的物品中学习：这些是**正样本**。它还必须知道用户*不*想要什么，"
        "但没有人告诉我们这一点：其余物品都只是*未被观测到*。**负采样**为每个正样本 *(u, i)* 挑选几个未观测物品 *j*，"
        "并用下面的 BPR 损失训练模型，使正样本的得分高于它们。挑选哪些物品，决定了模型学得多快、能学多好，"
        "以及我们有多常因为模型喜欢用户其实会喜欢的东西而惩罚它。"),
    "learn_loss_caption": _m("The gradient weight of a negative is σ(s(u,j) − s(u,i)): an easy negative (score far "
                             "below the positive) teaches almost nothing.",
                             "负样本的梯度权重为 σ(s(u,j) − s(u,i))：简单负样本（得分远低于正样本）几乎学不到东西。"),
    "learn_directions": _m("Three questions every sampler answers", "每个采样器都要回答的三个问题"),
    "dir_quality": _m("Quality · 采样质量", "采样质量 · Quality"),
    "dir_quality_text": _m("Are the negatives informative? Hard negatives (high score) give large gradients and "
                           "faster learning. **Charts:** score distribution of sampled negatives, convergence.",
                           "负样本是否有信息量？困难负样本（得分高）梯度大、学得快。**图表**：负样本得分分布、收敛曲线。"),
    "dir_bias": _m("Bias · 采样偏差", "采样偏差 · Bias"),
    "dir_bias_text": _m("Unobserved is not disliked. A sampled item the user would like is a **false negative**: "
                        "hard samplers find them more often. **Charts:** false-negative rate, popularity of negatives.",
                        "未观测不等于不喜欢。被采样但用户其实喜欢的物品是**假负例**：越“难”的采样器越容易采到它们。"
                        "**图表**：假负例率、负样本流行度。"),
    "dir_efficiency": _m("Efficiency · 采样效率", "采样效率 · Efficiency"),
    "dir_efficiency_text": _m("What does a sampler cost? Scoring candidates or training a generator takes time. "
                              "**Charts:** seconds per epoch (sampling vs updating), model scores computed.",
                              "采样器的开销多大？给候选打分或训练生成器都需要时间。**图表**：每轮秒数（采样与更新）、计算的模型得分数。"),
    "learn_families": _m("Two families", "两大类方法"),
    "family_heuristic": _m("Heuristic: RNS, PNS", "启发式：RNS、PNS"),
    "family_heuristic_text": _m("A fixed distribution chosen before training (uniform, or by popularity). Cheap and "
                                "simple, but blind to what the model already knows: as it improves, most samples "
                                "become easy.",
                                "训练前就确定的固定分布（均匀或按流行度）。便宜、简单，但看不到模型已经学会了什么：模型变好后，大多数样本都变得简单。"),
    "family_model": _m("Model-based: DNS, IRGAN, SRNS", "基于模型：DNS、IRGAN、SRNS"),
    "family_model_text": _m("Ask the current model which items it wrongly likes and train on those. Faster "
                            "learning, but more cost and more false negatives (SRNS tries to avoid them; watch "
                            "its false-negative rate against DNS's to see how well it succeeds on each dataset).",
                            "询问当前模型它错误地喜欢哪些物品，并在这些物品上训练。学得更快，但开销更大、假负例更多（SRNS 试图避开它们；"
                            "对比它与 DNS 的假负例率，看看它在每个数据集上做得如何）。"),
    "learn_samplers": _m("The five samplers", "五种采样器"),
    "card_draws": _m("What it draws", "抽什么"),
    "card_cost": _m("Cost", "开销"),
    "card_risk": _m("Risk", "风险"),
    "card_paper": _m("Paper", "论文"),
    "card_family_heuristic": _m("heuristic", "启发式"),
    "card_family_model": _m("model-based", "基于模型"),
    "rns_draws": _m("Every item the user has not interacted with, with equal probability.",
                    "用户未交互过的每个物品，概率相同。"),
    "rns_cost": _m("One random number per negative; no model score.", "每个负样本一个随机数；不需要模型打分。"),
    "rns_risk": _m("Most random items are easy: as the model improves their gradient vanishes and learning slows.",
                   "大多数随机物品都很简单：模型变好后，它们的梯度消失，学习变慢。"),
    "rns_paper": _m("Rendle et al., BPR: Bayesian Personalized Ranking from Implicit Feedback, UAI 2009.",
                    "Rendle 等，BPR: Bayesian Personalized Ranking from Implicit Feedback，UAI 2009。"),
    "pns_draws": _m("Popular items more often: probability ∝ popularity^α (α = 0.75 as in word2vec).",
                    "更常抽热门物品：概率 ∝ 流行度^α（与 word2vec 一样取 α = 0.75）。"),
    "pns_cost": _m("A binary search per negative; no model score.", "每个负样本一次二分查找；不需要模型打分。"),
    "pns_risk": _m("Popular is not the same as hard for this user; never adapts; popular items a user would like "
                   "become false negatives.",
                   "热门不等于对该用户难；分布从不更新；用户会喜欢的热门物品会变成假负例。"),
    "pns_paper": _m("Mikolov et al., word2vec, NIPS 2013; Chen et al., NNCF, KDD 2017.",
                    "Mikolov 等，word2vec，NIPS 2013；Chen 等，NNCF，KDD 2017。"),
    "dns_draws": _m("M uniform candidates; keeps the one the current model scores highest.",
                    "均匀抽 M 个候选，保留当前模型打分最高的那个。"),
    "dns_cost": _m("M model scores per negative.", "每个负样本需要 M 次模型打分。"),
    "dns_risk": _m("The larger M, the more often the 'hardest' item is one the user actually likes.",
                   "M 越大，“最难”的物品越可能是用户其实喜欢的。"),
    "dns_paper": _m("Zhang, Chen, Wang, Yu, Optimizing Top-N Collaborative Filtering via Dynamic Negative Item "
                    "Sampling, SIGIR 2013.",
                    "Zhang、Chen、Wang、Yu，Optimizing Top-N Collaborative Filtering via Dynamic Negative Item Sampling，SIGIR 2013。"),
    "irgan_draws": _m("A second model, the generator G, proposes negatives from its softmax; G is trained "
                      "(REINFORCE) to propose items the recommender D scores high.",
                      "第二个模型——生成器 G——按其 softmax 提出负样本；G 通过 REINFORCE 训练，去提出推荐模型 D 打分高的物品。"),
    "irgan_cost": _m("A second model to train, and a score for every item per user.",
                     "需要额外训练一个模型，并为每位用户给所有物品打分。"),
    "irgan_risk": _m("Adversarial training is unstable; an untrained G samples almost uniformly; G also learns to "
                     "propose items users like.",
                     "对抗训练不稳定；未训练的 G 几乎均匀采样；G 也会学着提出用户喜欢的物品。"),
    "irgan_paper": _m("Wang et al., IRGAN: A Minimax Game for Unifying Generative and Discriminative Information "
                      "Retrieval Models, SIGIR 2017.",
                      "Wang 等，IRGAN: A Minimax Game for Unifying Generative and Discriminative Information Retrieval Models，SIGIR 2017。"),
    "srns_draws": _m("From a small per-user memory of hard candidates, the item whose score is high and "
                     "fluctuates across epochs.",
                     "从每位用户的一小块困难候选记忆中，挑选得分高且在各轮之间波动的物品。"),
    "srns_cost": _m("S1 scores per pair, a memory update with S2 fresh candidates, and a score history.",
                    "每对需 S1 次打分，用 S2 个新候选更新记忆，并保存得分历史。"),
    "srns_risk": _m("Needs a few epochs of history before the variance term helps; more knobs to tune.",
                    "方差项需要几轮的历史才能起作用；需要调节的参数更多。"),
    "srns_paper": _m("Ding, Quan, Yao, Li, Jin, Simplify and Robustify Negative Sampling for Implicit "
                     "Collaborative Filtering, NeurIPS 2020.",
                     "Ding、Quan、Yao、Li、Jin，Simplify and Robustify Negative Sampling for Implicit Collaborative Filtering，NeurIPS 2020。"),
    "dns_special_case": _m("**DNS is IRGAN's special case.** Take IRGAN, make the generator the recommender itself "
                           "(G = D) and put all of its probability on the best of M uniform candidates (a softmax at "
                           "temperature τ → 0 over M items): that is DNS. No second model, no adversarial game: the "
                           "point of the source article.",
                           "**DNS 是 IRGAN 的特例。** 把 IRGAN 的生成器换成推荐模型本身（G = D），并把全部概率放在 M 个均匀候选中"
                           "得分最高的那个上（即在 M 个物品上温度 τ → 0 的 softmax）：这就是 DNS。没有第二个模型，也没有对抗博弈——这正是原文的要点。"),
    "learn_live": _m("See it on the toy world", "在玩具世界中亲眼看看"),
    "learn_live_caption": _m("Six users and twelve films. Each sampler trained the same model for {epochs} epochs; "
                             "the bars count how often each sampler drew each film as a negative for the chosen user. "
                             "✓ = the user's training positive (never drawn); ★ = a film the user truly likes but has "
                             "not watched (shaded column): drawing it is a false negative.",
                             "六位用户、十二部电影。每个采样器都训练同一个模型 {epochs} 轮；柱形统计每个采样器为所选用户把每部电影"
                             "抽作负样本的次数。✓ = 该用户的训练正样本（从不会被抽中）；★ = 用户其实喜欢但还没看过的电影（阴影列）：抽中它就是假负例。"),
    "learn_user": _m("Toy user", "玩具世界用户"),
    "learn_chart": _m("How often each sampler drew each film as a negative for {user}",
                      "每个采样器为 {user} 把每部电影抽作负样本的次数"),
    "learn_chart_y": _m("times drawn", "被抽中次数"),
    "learn_fn_share": _m("Share of false negatives (★) among the films drawn for {user}:",
                         "为 {user} 抽取的负样本中假负例（★）的占比："),
    "learn_next": _m("Next: **Playground** to look inside one sampler, **Compare** to race all five, **Data** to "
                     "change the world.",
                     "下一步：在**单采样器实验**中查看一个采样器的内部，在**对比**中让五个采样器同场竞赛，在**数据**中改变世界。"),
}


def t(key: str, lang: str = "en", **fields) -> str:
    """The message ``key`` in ``lang`` with ``{fields}`` filled in.

    Raises:
        KeyError: unknown key (a bug: every key must exist in both languages).
    """
    entry = MESSAGES[key]
    text = entry.get(lang) or entry["en"]
    return text.format(**fields) if fields else text


def sampler_label(name: str) -> str:
    """RNS, PNS, DNS, IRGAN, SRNS (the same in both languages)."""
    return SAMPLER_LABELS.get(name, name.upper())


def param_label(sampler: str, param: str, lang: str) -> str:
    key = f"param_{sampler}_{param}"
    return t(key, lang) if key in MESSAGES else param


def param_help(sampler: str, param: str, lang: str, fallback: str = "") -> str:
    key = f"help_{sampler}_{param}"
    return t(key, lang) if key in MESSAGES else fallback
