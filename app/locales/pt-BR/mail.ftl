# E-mails para administradores de empresas. Cada e-mail é um assunto e parágrafos; { $link } e os outros
# marcadores { $name } são preenchidos pelo portal. Mantenha-os como estão.

mail-greeting = Olá,
mail-signature = — { $partner }
mail-footer = Você recebe este e-mail porque este endereço foi informado ao conectar uma conta do WhatsApp Business na página de cadastro de { $partner }.
mail-unsubscribe = Parar de receber estes e-mails: { $link }

mail-status-link-subject = Sua configuração do WhatsApp com { $partner }
mail-status-link-intro = Obrigado por conectar sua conta do WhatsApp Business com { $partner }. Esta página mostra cada etapa da configuração até você poder enviar mensagens de marketing e se atualiza sozinha:
mail-status-link-keep = Guarde este e-mail: é pelo link que você volta para a página.

mail-action-subject = Ação necessária na sua configuração do WhatsApp
mail-action-intro = A Meta precisa de algo seu antes que você possa enviar mensagens de marketing:
mail-action-status = Sua página de status tem mais detalhes e se atualiza sozinha:

mail-action-payment = Adicione um método de pagamento válido à sua conta do WhatsApp Business no Meta Business Suite (Cobrança e pagamentos).
mail-action-terms = Aceite os termos da Marketing Messages API que a Meta mostrou para você no Gerenciador do WhatsApp ou no Meta Business Suite.
mail-action-reconnect = Seu número do WhatsApp foi desconectado depois de uma troca de celular ou de um novo registro. Abra o app WhatsApp Business no seu celular e conecte de novo.
mail-action-restricted = A Meta restringiu esta conta. Verifique o Business Support Home no Meta Business Suite e resolva a restrição.

mail-ready-subject = Você já pode enviar mensagens de marketing no WhatsApp
mail-ready-intro = Sua conta do WhatsApp Business { $account } está pronta: agora você pode enviar mensagens de marketing por meio de { $partner }.
mail-ready-status = Sua página de status:
