from pathlib import Path
DRIFT = "https://arxiv.org/abs/2307.09009"
def insert_after(path, anchor, note, indent=""):
    p = Path(path); t = p.read_text(encoding="utf-8")
    assert t.count(anchor) == 1, (path, anchor, t.count(anchor))
    body = "\n".join((indent + l) if l else "" for l in note.strip("\n").split("\n"))
    t = t.replace(anchor, anchor + "\n\n" + body, 1)
    p.write_text(t, encoding="utf-8")

# C1: commercial models "rigorously tested, stable ... continuously optimized, staying ahead"
insert_after("docs/zh/choosing-an-llm/02-core-concepts.md", "    - 对外依赖性强，若服务中断可能影响业务。", f'''
!!! warning "编者注：商业模型并不保证稳定"
    “经过严格测试，稳定性高”（3.2.1 节）和“持续优化，保持技术领先”（3.3.1 节）都是没有依据的概括，也与本站其他页面的记录相矛盾。商业模型通过 API 提供，背后的模型可能在不通知用户的情况下更新，行为随之改变：Chen、Zaharia 和 Zou 比较了 GPT-3.5 与 GPT-4 的 2023 年 3 月版和 6 月版，发现同一任务上的表现在三个月内有明显变化，例如 GPT-4 判断质数的准确率大幅下降（[arXiv:2307.09009]({DRIFT})；另见[《开源模型与闭源模型的对比》第 3.3 节的编者注](../model-comparison/03-algorithms.md#33-算法优缺点)）。SLA 保证的是服务的可用性，而不是模型输出的一致性；“持续优化”恰恰意味着模型会变，对依赖固定行为的应用来说，这是需要管理的风险。公开权重的模型则是固定的文件，版本由使用者掌控。
''')
insert_after("docs/en/choosing-an-llm/02-core-concepts.md", "    - Strong external dependency: a service outage can affect the business.", f'''
!!! warning "Editor's note: commercial models are not guaranteed to be stable"
    "Rigorously tested" and "highly stable" (3.2.1) and "continuously optimized, keeping them at the technical forefront" (3.3.1) are unsupported generalizations, and they contradict what other pages of this site record. A commercial model is served through an API, and the model behind it can be updated without notice, changing its behavior: Chen, Zaharia and Zou compared the March and June 2023 versions of GPT-3.5 and GPT-4 and found that performance on the same tasks changed markedly within three months; GPT-4's accuracy at identifying prime numbers, for example, fell sharply ([arXiv:2307.09009]({DRIFT}); see also the [editors' note in section 3.3 of *A comparison of open-source and closed-source models*](../model-comparison/03-algorithms.md#33-strengths-and-weaknesses-of-the-algorithm)). An SLA guarantees that the service is available, not that the model's output stays the same; and "continuously optimized" means precisely that the model changes, a risk that an application depending on fixed behavior has to manage. Open weights, by contrast, are a fixed file whose version the user controls.
''')
insert_after("docs/zh/choosing-an-llm/06-conclusion.md", "- 开源模型灵活性高，适合技术团队较强的企业，商业模型稳定性高，适合需要快速部署的企业。", f'''
!!! warning "编者注"
    “商业模型稳定性高”不能一概而论，见[第 3.3 节的编者注](02-core-concepts.md#33-商业模型的优缺点对比)：通过 API 提供的商业模型可能在不通知用户的情况下更新，行为随之改变（[arXiv:2307.09009]({DRIFT})）；公开权重的模型，版本由使用者掌控。
''')
insert_after("docs/en/choosing-an-llm/06-conclusion.md", "- Open-source models are highly flexible and suit companies with strong technical teams; commercial models are highly stable and suit companies that need to deploy quickly.", f'''
!!! warning "Editor's note"
    "Commercial models are highly stable" does not hold in general; see the [editors' note in section 3.3](02-core-concepts.md#33-pros-and-cons-of-commercial-models): a commercial model served through an API can be updated without notice, and its behavior changes with it ([arXiv:2307.09009]({DRIFT})); with open weights, the user controls the version.
''')
insert_after("docs/zh/model-comparison/03-algorithms.md", "闭源模型适合于商业和工业应用，具有较强的稳定性和保密性。广泛应用于金融、医疗、智能制造、智能客服等领域。", f'''
!!! warning "编者注"
    “较强的稳定性”见本页[第 3.3 节的编者注](#33-算法优缺点)：闭源 API 背后的模型可能在不通知的情况下更新，行为随之变化（[arXiv:2307.09009]({DRIFT})）。“保密性”只对开发模型的企业成立；调用 API 的使用者要把数据发送到供应商的服务器上处理，同见该编者注。
''')
insert_after("docs/en/model-comparison/03-algorithms.md", "Closed-source models suit commercial and industrial applications, offering strong stability and confidentiality. They are widely used in finance, healthcare, smart manufacturing, intelligent customer service and other fields.", f'''
!!! warning "Editor's note"
    On "strong stability", see the [editors' note in section 3.3](#33-strengths-and-weaknesses-of-the-algorithm) on this page: the model behind a closed-source API can be updated without notice, and its behavior changes with it ([arXiv:2307.09009]({DRIFT})). "Confidentiality" holds only for the company that develops the model; users of its API send their data to the vendor's servers for processing, as the same note explains.
''')

# C2: "Attention is All You Need" opened the era of pre-trained large models
ERA_ZH = '''
!!! warning "编者注"
    第 1 项的说法不准确，也与本站另一篇文章的编者注相矛盾。Transformer 论文（Vaswani et al., 2017，[arXiv:1706.03762](https://arxiv.org/abs/1706.03762)）提出的是用于机器翻译的编码器-解码器架构，论文本身并没有预训练语言模型。NLP 的预训练大模型时代一般从 2018 年算起：ELMo（[Peters et al., 2018](https://arxiv.org/abs/1802.05365)）、OpenAI 的第一代 GPT（[Radford et al., 2018](https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf)）和 BERT（[Devlin et al., 2018](https://arxiv.org/abs/1810.04805)），其中 GPT 和 BERT 以 Transformer 为基础。见《开源还是闭源：大模型商业化的抉择（长篇）》[第 1.1 节的编者注](../commercialization/01-background.md#11-大模型的发展历程)。
'''
ERA_EN = '''
!!! warning "Editor's note"
    Item 1 is inaccurate, and it contradicts an editors' note in another article on this site. The Transformer paper (Vaswani et al., 2017, [arXiv:1706.03762](https://arxiv.org/abs/1706.03762)) introduced an encoder-decoder architecture for machine translation; the paper itself pre-trains no language model. The era of large pre-trained models in NLP is usually dated to 2018: ELMo ([Peters et al., 2018](https://arxiv.org/abs/1802.05365)), OpenAI's first GPT ([Radford et al., 2018](https://cdn.openai.com/research-covers/language-unsupervised/language_understanding_paper.pdf)) and BERT ([Devlin et al., 2018](https://arxiv.org/abs/1810.04805)), of which GPT and BERT build on the Transformer. See the [editors' note in section 1.1](../commercialization/01-background.md#11-the-development-of-large-models) of *Open or closed source: the commercialization choice for large models* (the long article).
'''
insert_after("docs/zh/model-comparison/07-resources.md", "4. Parameter-Efficient Transfer Learning for NLP：提出Adapter等参数高效微调方法", ERA_ZH)
insert_after("docs/en/model-comparison/07-resources.md", "4. Parameter-Efficient Transfer Learning for NLP: proposed Adapters and other parameter-efficient fine-tuning methods", ERA_EN)

# C3: open source brings "technology leakage, market monopoly"
insert_after("docs/zh/commercialization/02-concepts.md", "然而，开源也带来了一定的风险，如技术泄露、市场垄断和竞争压力。", '''
!!! warning "编者注"
    “市场垄断”与[第 1.3 节的编者注](01-background.md#13-开源与闭源的概念及其影响)相矛盾：开源通常被认为是削弱而不是加剧垄断的力量。[开源定义](https://opensource.org/osd)要求许可证允许任何人自由使用、修改和再分发，这降低了进入门槛，使用者也不会被单一供应商锁定。“技术泄露”对开源也不成立：公开正是开源的本意，并非意外泄露。开源真正的商业风险是竞争对手可以免费使用同样的成果。
''')
insert_after("docs/en/commercialization/02-concepts.md", "However, open source also carries certain risks, such as technology leakage, market monopoly and competitive pressure.", '''
!!! warning "Editor's note"
    "Market monopoly" contradicts the [editors' note in section 1.3](01-background.md#13-the-concepts-of-open-and-closed-source-and-their-impact): open source is usually seen as a force that weakens monopolies rather than one that strengthens them. The [Open Source Definition](https://opensource.org/osd) requires a license to let anyone use, modify and redistribute the work, which lowers the barriers to entry and keeps users from being locked in to a single vendor. "Technology leakage" does not apply to open source either: publishing is the point of open source, not an accidental leak. The real business risk of open source is that competitors can use the same work for free.
''')

# C4: the closed-source approach "prevents technology leakage and infringement"
NYT_ZH = "《纽约时报》于 2023 年 12 月 27 日起诉 OpenAI 和微软（The New York Times Co. v. Microsoft Corp. et al.，美国纽约南区联邦地区法院，案号 1:23-cv-11195）"
NYT_EN = "The New York Times sued OpenAI and Microsoft on December 27, 2023 (The New York Times Co. v. Microsoft Corp. et al., U.S. District Court for the Southern District of New York, case 1:23-cv-11195)"
insert_after("docs/zh/commercialization/02-concepts.md", "3. **确保服务质量**：闭源软件通常提供专业的技术支持和售后服务，确保用户在使用过程中的问题得到及时解决。", f'''
!!! warning "编者注"
    第 1 条“防止技术泄露和侵权”言过其实，第 6 章的编者注已经指出：不公开源代码和训练数据并不能防止侵权，只是让侵权更难被外界核实；闭源模型的开发者同样面临训练数据版权方面的诉讼，例如{NYT_ZH}，见[第 6.3 节的编者注](06-applications.md#63-开源与闭源大模型应用效果对比)。
''')
insert_after("docs/en/commercialization/02-concepts.md", "3. **Ensuring service quality**: closed-source software usually comes with professional technical support and after-sales service, so that users' problems are solved promptly.", f'''
!!! warning "Editor's note"
    Item 1's "prevents technology leakage and infringement" overstates the case, as the editors' note in chapter 6 already points out: keeping source code and training data private does not prevent infringement; it only makes infringement harder for outsiders to verify. Developers of closed-source models face copyright lawsuits over their training data too: {NYT_EN}; see the [editors' note in section 6.3](06-applications.md#63-comparing-the-results-of-open--and-closed-source-large-models).
''')
insert_after("docs/zh/commercialization/08-summary.md", "2. **知识产权保护**：开源模式可能导致技术泄露和知识产权纠纷。企业在选择开源或闭源路径时，需要权衡技术创新与知识产权保护的关系。如何确保技术资产的安全，避免侵权风险，是企业面临的重要挑战。", f'''
!!! warning "编者注"
    开源是主动公开，谈不上“技术泄露”；开源许可证本身就是行使著作权的方式，权利人并没有放弃知识产权（见[第 2.2 节的编者注](02-concepts.md#22-闭源closed-source的概念)）。知识产权纠纷也不是开源独有的：闭源模型的开发者同样因训练数据被起诉，例如{NYT_ZH}，见[第 6.3 节的编者注](06-applications.md#63-开源与闭源大模型应用效果对比)。
''', indent="    ")
insert_after("docs/en/commercialization/08-summary.md", "2. **Intellectual property protection**: the open-source approach may lead to technology leakage and intellectual property disputes. When choosing between the open and closed paths, companies must weigh technical innovation against intellectual property protection. Keeping technology assets safe and avoiding infringement risks is an important challenge.", f'''
!!! warning "Editor's note"
    Open source publishes on purpose, so "technology leakage" is the wrong word for it; an open-source license is itself a way of exercising copyright, and the rights holders keep their intellectual property (see the [editors' note in section 2.2](02-concepts.md#22-the-concept-of-closed-source)). Nor are intellectual property disputes peculiar to open source: developers of closed-source models are sued over their training data too. {NYT_EN}; see the [editors' note in section 6.3](06-applications.md#63-comparing-the-results-of-open--and-closed-source-large-models).
''', indent="    ")

# C5: "open-source large models may face the risk of data leaks, while closed-source ones must ensure compliance"
insert_after("docs/zh/commercialization/08-summary.md", "3. **数据隐私和安全性**：随着大模型应用的普及，数据隐私和安全性问题日益突出。开源大模型可能面临数据泄露的风险，而闭源大模型则需要确保数据处理的合规性和安全性。企业需要在技术和管理层面采取措施，保障数据的安全和隐私。", '''
!!! warning "编者注"
    对使用大模型的企业来说，情况往往相反，第 6.3 节的编者注已经指出：公开权重的模型可以完全部署在本地，数据不离开企业；调用闭源模型的 API 则要把数据发送到供应商的服务器上，数据是否被保留或用于训练取决于服务条款和合同（见[第 6.3 节的编者注](06-applications.md#63-开源与闭源大模型应用效果对比)，以及[《开源模型与闭源模型的对比》第 3.3 节的编者注](../model-comparison/03-algorithms.md#33-算法优缺点)）。例如 OpenAI 的 [API 数据使用说明](https://platform.openai.com/docs/guides/your-data)写明：API 数据默认不用于训练模型，但可能为监测滥用保留最多 30 天。
''', indent="    ")
insert_after("docs/en/commercialization/08-summary.md", "3. **Data privacy and security**: as large models spread, data privacy and security issues are becoming more prominent. Open-source large models may face the risk of data leaks, while closed-source large models must ensure that data processing is compliant and secure. Companies need technical and managerial measures to keep data safe and private.", '''
!!! warning "Editor's note"
    For a company that uses large models, it is often the other way round, as the editors' note in section 6.3 already points out: a model with open weights can run entirely on premises, so the data never leaves the company, whereas calling a closed-source model's API means sending the data to the vendor's servers, and whether it is retained or used for training depends on the terms of service and the contract (see the [editors' note in section 6.3](06-applications.md#63-comparing-the-results-of-open--and-closed-source-large-models) and the [editors' note in section 3.3 of *A comparison of open-source and closed-source models*](../model-comparison/03-algorithms.md#33-strengths-and-weaknesses-of-the-algorithm)). OpenAI's [API data usage page](https://platform.openai.com/docs/guides/your-data), for example, states that API data is not used to train models by default but may be retained for up to 30 days to monitor abuse.
''', indent="    ")
